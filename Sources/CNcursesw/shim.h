#ifndef CLEO_CNCURSESW_SHIM_H
#define CLEO_CNCURSESW_SHIM_H

// SwiftPM drops -D_XOPEN_SOURCE from ncursesw.pc: without these the wide API
// (wget_wch, wadd_wchnstr, setcchar) is not declared.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <ncursesw/curses.h>

// Mutable C globals that Swift 6 rejects as shared mutable state: read them through functions.
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }

// Function-like macros Swift cannot import.
static inline void cn_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }
static inline attr_t cn_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }

// Attribute macros (A_*): exposed as constants.
static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_a_dim(void) { return A_DIM; }

// Key codes used by the console (macros that do import, re-exported for symmetry and clarity).
static inline int cn_key_resize(void) { return KEY_RESIZE; }
static inline int cn_key_code_yes(void) { return KEY_CODE_YES; }

// Build one cell from a single scalar (plus zero-width combiners); setcchar takes a NUL-terminated wchar_t array.
static inline int cn_setcchar(cchar_t *cell, const wchar_t *wch, attr_t attrs, short pair) {
    return setcchar(cell, wch, attrs, pair, NULL);
}

#endif
