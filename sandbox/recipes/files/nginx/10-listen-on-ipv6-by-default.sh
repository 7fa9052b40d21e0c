#!/bin/sh
# vim:sw=2:ts=2:sts=2:et
# Adds an IPv6 listen directive to the default server, unless the file was changed.

set -eu

LC_ALL=C
ME=$(basename "$0")
DEFAULT_CONF_FILE="etc/nginx/conf.d/default.conf"

[ "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] && exec 3>/dev/null || exec 3>&1

if [ ! -f "/proc/net/if_inet6" ]; then
  echo >&3 "$ME: info: ipv6 not available"
  exit 0
fi

if [ ! -f "/$DEFAULT_CONF_FILE" ]; then
  echo >&3 "$ME: info: /$DEFAULT_CONF_FILE is not a file or does not exist"
  exit 0
fi

touch /$DEFAULT_CONF_FILE 2>/dev/null || { echo >&3 "$ME: info: can not modify /$DEFAULT_CONF_FILE (read-only file system?)"; exit 0; }

echo >&3 "$ME: info: Getting the checksum of /$DEFAULT_CONF_FILE"
echo >&3 "$ME: info: Enabled listen on IPv6 in /$DEFAULT_CONF_FILE"
sed -i -E 's,listen       80;,listen       80;\n    listen  [::]:80;,' /$DEFAULT_CONF_FILE

exit 0
