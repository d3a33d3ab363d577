/* diag: see diag.h. */
#include "engine/sql/diag.h"

void diag_linecol(const char *src, size_t len, uint32_t pos, int *line, int *col) {
    int l = 1, c = 1;
    for (size_t i = 0; i < pos && i < len; i++) {
        if (src[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void diag_format(struct buf *b, const char *file, const char *src, size_t len, uint32_t pos, const char *msg) {
    int line, col;
    if (pos > len) pos = (uint32_t)len;
    diag_linecol(src, len, pos, &line, &col);
    if (file) buf_printf(b, "%s:", file);
    buf_printf(b, "%d:%d: error: %s\n", line, col, msg);
    size_t st = pos;
    while (st > 0 && src[st - 1] != '\n') st--;
    size_t en = pos;
    while (en < len && src[en] != '\n') en++;
    int w = 1;
    for (int n = line; n >= 10; n /= 10) w++;
    buf_printf(b, "  %*d | %.*s\n", w, line, (int)(en - st), src + st);
    buf_printf(b, "  %*s | ", w, "");
    for (size_t i = st; i < pos; i++) buf_putc(b, src[i] == '\t' ? '\t' : ' ');
    buf_printf(b, "^\n");
}
