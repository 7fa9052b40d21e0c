# System-wide .bashrc file for interactive bash(1) shells.

# If not running interactively, do not do anything.
[ -z "$PS1" ] && return

PS1='${debian_chroot:+($debian_chroot)}\u@\h:\w\$ '
