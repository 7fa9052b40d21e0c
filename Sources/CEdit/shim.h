// libedit, the BSD line editor. Its el_set and history calls are variadic, which Swift cannot
// call; these inline wrappers give each use LayerLab makes a fixed signature.
#include <stdio.h>
#include <histedit.h>

typedef char *(*layerlab_prompt_t)(EditLine *);
typedef unsigned char (*layerlab_command_t)(EditLine *, int);

static inline int layerlab_el_set_prompt(EditLine *el, layerlab_prompt_t prompt) {
  return el_set(el, EL_PROMPT, prompt);
}
static inline int layerlab_el_set_editor(EditLine *el, const char *mode) {
  return el_set(el, EL_EDITOR, mode);
}
static inline int layerlab_el_set_signal(EditLine *el, int handle) {
  return el_set(el, EL_SIGNAL, handle);
}
static inline int layerlab_el_set_client(EditLine *el, void *data) {
  return el_set(el, EL_CLIENTDATA, data);
}
static inline void *layerlab_el_get_client(EditLine *el) {
  void *data = NULL;
  el_get(el, EL_CLIENTDATA, &data);
  return data;
}
static inline int layerlab_el_set_history(EditLine *el, History *list) {
  return el_set(el, EL_HIST, history, list);
}
static inline int layerlab_el_add_function(
    EditLine *el, const char *name, const char *help, layerlab_command_t function) {
  return el_set(el, EL_ADDFN, name, help, function);
}
static inline int layerlab_el_bind(EditLine *el, const char *key, const char *function) {
  return el_set(el, EL_BIND, key, function, NULL);
}
/// `settty -d -isig`: in edit mode Ctrl-C is a key the editor binds, not a signal.
static inline int layerlab_el_keep_interrupt_key(EditLine *el) {
  return el_set(el, EL_SETTY, "-d", "-isig", NULL);
}
static inline int layerlab_history_set_size(History *list, int size) {
  HistEvent event;
  return history(list, &event, H_SETSIZE, size);
}
static inline int layerlab_history_set_unique(History *list) {
  HistEvent event;
  return history(list, &event, H_SETUNIQUE, 1);
}
static inline int layerlab_history_enter(History *list, const char *line) {
  HistEvent event;
  return history(list, &event, H_ENTER, line);
}
static inline int layerlab_history_load(History *list, const char *path) {
  HistEvent event;
  return history(list, &event, H_LOAD, path);
}
static inline int layerlab_history_save(History *list, const char *path) {
  HistEvent event;
  return history(list, &event, H_SAVE, path);
}
/// An editor on the standard streams (which Swift 6 cannot name: they are mutable globals).
static inline EditLine *layerlab_el_init(const char *program) {
  return el_init(program, stdin, stdout, stderr);
}
/// Writes to the terminal through the editor's own stream, keeping the order of its output.
static inline void layerlab_print(const char *text) {
  fputs(text, stdout);
  fflush(stdout);
}
