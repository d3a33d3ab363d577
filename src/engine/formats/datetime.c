/* datetime: see datetime.h. A pattern compiles to a flat array of elements
 * (literal text or one field with its letter count); optional sections are
 * an OPT_BEGIN element holding the index of its OPT_END, so the parser can
 * try a section and fall back to skipping it. Parsing fills a small field
 * record, validates it and converts to microseconds in one place
 * (pstate_finish). The calendar math is days-from-civil on 400-year eras,
 * exact for the whole int64 year range we accept (|year| < 300000). */
#include "engine/formats/datetime.h"

#include "common/err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ calendar */

int dt_is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int dt_days_in_month(int64_t y, int m) {
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return m == 2 && dt_is_leap(y) ? 29 : dm[m - 1];
}

/* Counts days with March as the first month so the leap day ends the year. */
int64_t dt_days_from_civil(int64_t y, int m, int d) {
    if (m <= 2) y -= 1;
    int64_t era = dt_floordiv(y, 400);
    int64_t yoe = y - era * 400;                                  /* 0..399 */
    int64_t mp = m > 2 ? m - 3 : m + 9;                           /* 0..11, March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;                     /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void dt_civil_from_days(int64_t days, int64_t *y, int *m, int *d) {
    int64_t z = days + 719468;
    int64_t era = dt_floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void dt_split(int64_t ts, struct dt_tm *tm) {
    int64_t days = dt_floordiv(ts, DT_US_PER_DAY);
    int64_t rem = ts - days * DT_US_PER_DAY;
    dt_civil_from_days(days, &tm->year, &tm->month, &tm->day);
    tm->hour = (int)(rem / DT_US_PER_HOUR);
    rem %= DT_US_PER_HOUR;
    tm->minute = (int)(rem / DT_US_PER_MIN);
    rem %= DT_US_PER_MIN;
    tm->second = (int)(rem / DT_US_PER_SEC);
    tm->micros = (int)(rem % DT_US_PER_SEC);
    tm->dow = (int)dt_floormod(days + 3, 7) + 1; /* 1970-01-01 was a Thursday */
    tm->doy = (int)(days - dt_days_from_civil(tm->year, 1, 1)) + 1;
}

#define DT_MAX_YEAR 294000 /* keeps microseconds inside int64 */

int dt_join(const struct dt_tm *tm, int64_t *ts) {
    if (tm->year > DT_MAX_YEAR || tm->year < -DT_MAX_YEAR) return WERR_RANGE;
    if (tm->month < 1 || tm->month > 12 || tm->day < 1 || tm->day > dt_days_in_month(tm->year, tm->month))
        return WERR_RANGE;
    if (tm->hour < 0 || tm->hour > 23 || tm->minute < 0 || tm->minute > 59 || tm->second < 0 ||
        tm->second > 59 || tm->micros < 0 || tm->micros > 999999)
        return WERR_RANGE;
    int64_t days = dt_days_from_civil(tm->year, tm->month, tm->day);
    *ts = days * DT_US_PER_DAY + tm->hour * DT_US_PER_HOUR + tm->minute * DT_US_PER_MIN +
          tm->second * DT_US_PER_SEC + tm->micros;
    return 0;
}

/* ------------------------------------------------------------------ names */

static const char *const month_full[12] = {"January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"};
static const char *const dow_full[7] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday"};

/* Case-insensitive match of name (or its first 3 letters when short) at s+pos. */
static int match_word(const char *s, size_t n, size_t *pos, const char *word, size_t wl) {
    if (n - *pos < wl) return 0;
    for (size_t i = 0; i < wl; i++)
        if (tolower((unsigned char)s[*pos + i]) != tolower((unsigned char)word[i])) return 0;
    *pos += wl;
    return 1;
}

/* ------------------------------------------------------------------ compile */

enum el_kind {
    EL_LIT, EL_ERA, EL_YEAR, EL_MONTH, EL_DAY, EL_DOY, EL_QUARTER, EL_DOW, EL_AMPM,
    EL_H12, EL_K11, EL_K24, EL_H24, EL_MIN, EL_SEC, EL_FRAC,
    EL_ZONEID, EL_ZONENAME, EL_OFF_O, EL_OFF_X, EL_OFF_LX, EL_OFF_Z,
    EL_OPT_BEGIN, EL_OPT_END,
};

struct el {
    uint8_t kind, count;
    uint32_t lit_off, lit_len; /* EL_LIT: text in p->lits */
    int32_t match;             /* EL_OPT_BEGIN: index of its EL_OPT_END */
};

struct dt_pattern {
    int n, can_parse;
    struct el *els;
    char *lits;
};

static const struct letter {
    char c;
    uint8_t kind, maxc, format_only;
} letters[] = {
    {'G', EL_ERA, 4, 0}, {'y', EL_YEAR, 6, 0}, {'M', EL_MONTH, 4, 0}, {'L', EL_MONTH, 4, 0},
    {'d', EL_DAY, 2, 0}, {'D', EL_DOY, 3, 0}, {'Q', EL_QUARTER, 4, 1}, {'q', EL_QUARTER, 4, 1},
    {'E', EL_DOW, 4, 1}, {'a', EL_AMPM, 1, 0}, {'h', EL_H12, 2, 0}, {'K', EL_K11, 2, 0},
    {'k', EL_K24, 2, 0}, {'H', EL_H24, 2, 0}, {'m', EL_MIN, 2, 0}, {'s', EL_SEC, 2, 0},
    {'S', EL_FRAC, 9, 0}, {'V', EL_ZONEID, 2, 0}, {'z', EL_ZONENAME, 4, 0}, {'O', EL_OFF_O, 4, 0},
    {'X', EL_OFF_X, 5, 0}, {'x', EL_OFF_LX, 5, 0}, {'Z', EL_OFF_Z, 5, 0},
};

__attribute__((format(printf, 3, 4))) static void seterr(char *err, size_t cap, const char *fmt, ...) {
    if (!err || !cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

int dt_pattern_compile(const char *pat, size_t len, struct dt_pattern **out, char *err, size_t errcap) {
    /* Upper bounds: at most len elements and len literal bytes. */
    size_t nel_max = len + 1;
    struct dt_pattern *p = calloc(1, sizeof *p + nel_max * sizeof(struct el) + len + 1);
    if (!p) return WERR_NOMEM;
    p->els = (struct el *)(p + 1);
    p->lits = (char *)(p->els + nel_max);
    p->can_parse = 1;
    size_t nlit = 0;
    int stack[32], depth = 0;
    size_t i = 0;
    char tmp[2] = {0, 0};
#define ADD_LIT_CHAR(ch)                                                                       \
    do {                                                                                       \
        if (p->n > 0 && p->els[p->n - 1].kind == EL_LIT &&                                     \
            p->els[p->n - 1].lit_off + p->els[p->n - 1].lit_len == nlit) {                     \
            p->els[p->n - 1].lit_len++;                                                        \
        } else {                                                                               \
            p->els[p->n++] = (struct el){.kind = EL_LIT, .lit_off = (uint32_t)nlit, .lit_len = 1}; \
        }                                                                                      \
        p->lits[nlit++] = (ch);                                                                \
    } while (0)
    while (i < len) {
        char c = pat[i];
        if (c == '\'') {
            if (i + 1 < len && pat[i + 1] == '\'') {
                ADD_LIT_CHAR('\'');
                i += 2;
                continue;
            }
            i++;
            for (;;) {
                if (i >= len) {
                    seterr(err, errcap, "Pattern ends with an incomplete string literal: %.*s", (int)len, pat);
                    goto fail;
                }
                if (pat[i] == '\'') {
                    if (i + 1 < len && pat[i + 1] == '\'') {
                        ADD_LIT_CHAR('\'');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                ADD_LIT_CHAR(pat[i]);
                i++;
            }
            continue;
        }
        if (c == '[') {
            if (depth == 32) { seterr(err, errcap, "Pattern nests too deeply"); goto fail; }
            stack[depth++] = p->n;
            p->els[p->n++] = (struct el){.kind = EL_OPT_BEGIN};
            i++;
            continue;
        }
        if (c == ']') {
            if (!depth) { seterr(err, errcap, "Pattern invalid as it contains ] without previous ["); goto fail; }
            p->els[stack[--depth]].match = p->n;
            p->els[p->n++] = (struct el){.kind = EL_OPT_END};
            i++;
            continue;
        }
        if (c == '{' || c == '}' || c == '#') {
            tmp[0] = c;
            seterr(err, errcap, "Pattern includes reserved character: '%s'", tmp);
            goto fail;
        }
        if (isalpha((unsigned char)c)) {
            size_t j = i;
            while (j < len && pat[j] == c) j++;
            size_t cnt = j - i;
            const struct letter *L = NULL;
            for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++)
                if (letters[k].c == c) L = &letters[k];
            tmp[0] = c;
            if (!L) {
                if (strchr("YwWuec", c))
                    seterr(err, errcap, "All week-based patterns are unsupported since Spark 3.0, detected: %s (count %d)", tmp, (int)cnt);
                else
                    seterr(err, errcap, "Illegal pattern character: '%s'", tmp);
                goto fail;
            }
            int bad = cnt > L->maxc;
            if (L->kind == EL_ZONEID && cnt != 2) bad = 1;
            if (L->kind == EL_OFF_O && cnt != 1 && cnt != 4) bad = 1;
            if (bad) {
                char lets[16];
                size_t m = cnt < sizeof lets - 1 ? cnt : sizeof lets - 1;
                memset(lets, c, m);
                lets[m] = 0;
                seterr(err, errcap, "Too many pattern letters: %s", lets);
                goto fail;
            }
            if (L->format_only) p->can_parse = 0;
            p->els[p->n++] = (struct el){.kind = L->kind, .count = (uint8_t)cnt};
            i = j;
            continue;
        }
        ADD_LIT_CHAR(c);
        i++;
    }
#undef ADD_LIT_CHAR
    if (depth) { seterr(err, errcap, "Pattern has an unclosed optional section ["); goto fail; }
    p->lits[nlit] = 0;
    *out = p;
    return 0;
fail:
    free(p);
    return WERR_INVALID;
}

void dt_pattern_free(struct dt_pattern *p) { free(p); }
int dt_pattern_can_parse(const struct dt_pattern *p) { return p->can_parse; }

/* ------------------------------------------------------------------ format */

struct out {
    char *p;
    size_t len, cap;
    int overflow;
};

static void out_str(struct out *o, const char *s, size_t n) {
    if (o->len + n >= o->cap) { o->overflow = 1; return; }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}
static void out_num(struct out *o, int64_t v, int width) {
    char b[32];
    int n = 0;
    if (v < 0) {
        n = snprintf(b, sizeof b, "-%0*lld", width, -(long long)v);
    } else { /* digits backwards, zero-padded to width */
        char t[24];
        int k = 0;
        do { t[k++] = (char)('0' + v % 10); v /= 10; } while (v);
        while (k < width && k < (int)sizeof t) t[k++] = '0';
        while (k) b[n++] = t[--k];
    }
    out_str(o, b, (size_t)n);
}
static void out_cstr(struct out *o, const char *s) { out_str(o, s, strlen(s)); }

static void format_range(const struct dt_pattern *p, int from, int to, const struct dt_tm *tm, struct out *o) {
    for (int i = from; i < to; i++) {
        const struct el *e = &p->els[i];
        int c = e->count;
        switch ((enum el_kind)e->kind) {
        case EL_LIT: out_str(o, p->lits + e->lit_off, e->lit_len); break;
        case EL_OPT_BEGIN: case EL_OPT_END: break; /* all fields exist: print the section */
        case EL_ERA:
            out_cstr(o, tm->year > 0 ? (c == 4 ? "Anno Domini" : "AD") : (c == 4 ? "Before Christ" : "BC"));
            break;
        case EL_YEAR:
            if (c == 2) {
                out_num(o, dt_floormod(tm->year, 100), 2);
            } else if (c >= 4 && tm->year > 0 && snprintf(NULL, 0, "%lld", (long long)tm->year) > c) {
                out_cstr(o, "+"); /* Java's EXCEEDS_PAD sign style */
                out_num(o, tm->year, c);
            } else {
                out_num(o, tm->year, c == 1 ? 1 : c);
            }
            break;
        case EL_MONTH:
            if (c <= 2) out_num(o, tm->month, c);
            else if (c == 3) out_str(o, month_full[tm->month - 1], 3);
            else out_cstr(o, month_full[tm->month - 1]);
            break;
        case EL_DAY: out_num(o, tm->day, c); break;
        case EL_DOY: out_num(o, tm->doy, c); break;
        case EL_QUARTER: {
            int q = (tm->month - 1) / 3 + 1;
            static const char *const qn[4] = {"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"};
            if (c <= 2) out_num(o, q, c);
            else if (c == 3) { out_cstr(o, "Q"); out_num(o, q, 1); }
            else out_cstr(o, qn[q - 1]);
            break;
        }
        case EL_DOW:
            if (c <= 3) out_str(o, dow_full[tm->dow - 1], 3);
            else out_cstr(o, dow_full[tm->dow - 1]);
            break;
        case EL_AMPM: out_cstr(o, tm->hour < 12 ? "AM" : "PM"); break;
        case EL_H12: out_num(o, tm->hour % 12 == 0 ? 12 : tm->hour % 12, c); break;
        case EL_K11: out_num(o, tm->hour % 12, c); break;
        case EL_K24: out_num(o, tm->hour == 0 ? 24 : tm->hour, c); break;
        case EL_H24: out_num(o, tm->hour, c); break;
        case EL_MIN: out_num(o, tm->minute, c); break;
        case EL_SEC: out_num(o, tm->second, c); break;
        case EL_FRAC: {
            char b[16];
            snprintf(b, sizeof b, "%06d000", tm->micros);
            out_str(o, b, (size_t)c);
            break;
        }
        case EL_ZONEID: out_cstr(o, "UTC"); break;
        case EL_ZONENAME: out_cstr(o, c == 4 ? "Coordinated Universal Time" : "UTC"); break;
        case EL_OFF_O: out_cstr(o, "GMT"); break;
        case EL_OFF_X: out_cstr(o, "Z"); break;
        case EL_OFF_LX: {
            static const char *const z[5] = {"+00", "+0000", "+00:00", "+0000", "+00:00"};
            out_cstr(o, z[c - 1]);
            break;
        }
        case EL_OFF_Z: out_cstr(o, c <= 3 ? "+0000" : c == 4 ? "GMT" : "Z"); break;
        }
    }
}

int dt_format(const struct dt_pattern *p, int64_t ts, char *buf, size_t cap) {
    struct dt_tm tm;
    dt_split(ts, &tm);
    struct out o = {buf, 0, cap, 0};
    format_range(p, 0, p->n, &tm, &o);
    if (o.overflow || cap == 0) return WERR_TOOBIG;
    buf[o.len] = 0;
    return (int)o.len;
}

/* ------------------------------------------------------------------ parse */

struct pstate {
    int64_t year;
    int month, day, doy, h24, h12, k11, k24, ampm, minute, second, micros;
    int era_bc;
    int has_off, off_sec;
    int has_year, has_month, has_day;
};

static int is_numeric(const struct el *e) {
    switch ((enum el_kind)e->kind) {
    case EL_YEAR: case EL_DAY: case EL_DOY: case EL_H12: case EL_K11: case EL_K24: case EL_H24:
    case EL_MIN: case EL_SEC: case EL_FRAC: return 1;
    case EL_MONTH: return e->count <= 2;
    default: return 0;
    }
}

/* Reads between minw and maxw digits (greedy). */
static int read_digits(const char *s, size_t n, size_t *pos, int minw, int maxw, int64_t *v, int *ndig) {
    size_t i = *pos;
    int64_t x = 0;
    int k = 0;
    while (i < n && k < maxw && s[i] >= '0' && s[i] <= '9') { x = x * 10 + (s[i] - '0'); i++; k++; }
    if (k < minw) return -1;
    *pos = i;
    *v = x;
    if (ndig) *ndig = k;
    return 0;
}

/* Offset in the forms [+-]HH, [+-]HHMM, [+-]HH:MM, optional seconds, with the
 * colon style required by `colon` (-1 = either). */
static int read_offset(const char *s, size_t n, size_t *pos, int colon, int *off) {
    size_t i = *pos;
    if (i >= n || (s[i] != '+' && s[i] != '-')) return -1;
    int sign = s[i] == '-' ? -1 : 1;
    i++;
    int64_t hh, mm = 0, ss = 0;
    int nd;
    if (read_digits(s, n, &i, 1, 2, &hh, &nd)) return -1;
    if (i < n && s[i] == ':' && colon != 0) {
        i++;
        if (read_digits(s, n, &i, 2, 2, &mm, NULL)) return -1;
        if (i < n && s[i] == ':') { i++; if (read_digits(s, n, &i, 2, 2, &ss, NULL)) return -1; }
    } else if (nd == 2 && colon != 1 && i + 1 < n && isdigit((unsigned char)s[i]) && isdigit((unsigned char)s[i + 1])) {
        read_digits(s, n, &i, 2, 2, &mm, NULL);
        if (i + 1 < n && isdigit((unsigned char)s[i]) && isdigit((unsigned char)s[i + 1])) read_digits(s, n, &i, 2, 2, &ss, NULL);
    }
    if (hh > 18 || mm > 59 || ss > 59) return -1;
    *off = sign * (int)(hh * 3600 + mm * 60 + ss);
    *pos = i;
    return 0;
}

/* Zone text: Z, UTC/GMT/UT optionally followed by an offset, Etc/UTC, or a
 * bare offset. Region ids other than UTC aliases are not known (UTC only). */
static int read_zone(const char *s, size_t n, size_t *pos, int *off) {
    size_t i = *pos;
    *off = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) return read_offset(s, n, pos, -1, off);
    if (match_word(s, n, &i, "Etc/UTC", 7) || match_word(s, n, &i, "Etc/GMT", 7)) { *pos = i; return 0; }
    if (match_word(s, n, &i, "Coordinated Universal Time", 26)) { *pos = i; return 0; }
    if (match_word(s, n, &i, "UTC", 3) || match_word(s, n, &i, "GMT", 3) || match_word(s, n, &i, "UT", 2)) {
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            if (read_offset(s, n, &i, -1, off)) return -1;
        }
        *pos = i;
        return 0;
    }
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) { *pos = i + 1; return 0; }
    return -1;
}

static int parse_range(const struct dt_pattern *p, int from, int to, const char *s, size_t n, size_t *pos,
                       struct pstate *st) {
    for (int i = from; i < to; i++) {
        const struct el *e = &p->els[i];
        int c = e->count;
        /* adjacent numeric field follows: fields must use their fixed width */
        int adjacent = i + 1 < to && is_numeric(&p->els[i + 1]);
        int64_t v;
        switch ((enum el_kind)e->kind) {
        case EL_LIT:
            if (n - *pos < e->lit_len) return -1;
            for (uint32_t k = 0; k < e->lit_len; k++)
                if (tolower((unsigned char)s[*pos + k]) != tolower((unsigned char)p->lits[e->lit_off + k])) return -1;
            *pos += e->lit_len;
            break;
        case EL_OPT_BEGIN: {
            size_t save = *pos;
            struct pstate sv = *st;
            if (parse_range(p, i + 1, e->match, s, n, pos, st)) { *pos = save; *st = sv; }
            i = e->match;
            break;
        }
        case EL_OPT_END: break;
        case EL_ERA:
            if (match_word(s, n, pos, "Anno Domini", 11) || match_word(s, n, pos, "AD", 2)) st->era_bc = 0;
            else if (match_word(s, n, pos, "Before Christ", 13) || match_word(s, n, pos, "BC", 2)) st->era_bc = 1;
            else return -1;
            break;
        case EL_YEAR: {
            int sign = 1;
            if (c != 2 && *pos < n && (s[*pos] == '-' || s[*pos] == '+')) { sign = s[*pos] == '-' ? -1 : 1; (*pos)++; }
            if (c == 2) {
                if (read_digits(s, n, pos, 2, 2, &v, NULL)) return -1;
                v += 2000;
            } else {
                int maxw = adjacent ? (c < 4 ? 4 : c) : 6;
                if (read_digits(s, n, pos, c, maxw, &v, NULL)) return -1;
            }
            st->year = sign * v;
            st->has_year = 1;
            break;
        }
        case EL_MONTH:
            if (c <= 2) {
                if (read_digits(s, n, pos, c, 2, &v, NULL)) return -1;
                st->month = (int)v;
            } else {
                int m = 0;
                for (int k = 0; k < 12 && !m; k++)
                    if (c == 4 ? match_word(s, n, pos, month_full[k], strlen(month_full[k]))
                               : match_word(s, n, pos, month_full[k], 3))
                        m = k + 1;
                if (!m) return -1;
                st->month = m;
            }
            st->has_month = 1;
            break;
        case EL_DAY:
            if (read_digits(s, n, pos, c, 2, &v, NULL)) return -1;
            st->day = (int)v;
            st->has_day = 1;
            break;
        case EL_DOY:
            if (read_digits(s, n, pos, c, 3, &v, NULL)) return -1;
            st->doy = (int)v;
            break;
        case EL_AMPM:
            if (match_word(s, n, pos, "AM", 2)) st->ampm = 0;
            else if (match_word(s, n, pos, "PM", 2)) st->ampm = 1;
            else return -1;
            break;
        case EL_H12: case EL_K11: case EL_K24: case EL_H24: case EL_MIN: case EL_SEC:
            if (read_digits(s, n, pos, c, 2, &v, NULL)) return -1;
            if (e->kind == EL_H12) st->h12 = (int)v;
            else if (e->kind == EL_K11) st->k11 = (int)v;
            else if (e->kind == EL_K24) st->k24 = (int)v;
            else if (e->kind == EL_H24) st->h24 = (int)v;
            else if (e->kind == EL_MIN) st->minute = (int)v;
            else st->second = (int)v;
            break;
        case EL_FRAC: {
            int nd;
            if (read_digits(s, n, pos, adjacent ? c : 1, c, &v, &nd)) return -1;
            while (nd < 6) { v *= 10; nd++; }
            while (nd > 6) { v /= 10; nd--; }
            st->micros = (int)v;
            break;
        }
        case EL_ZONEID: case EL_ZONENAME: case EL_OFF_O: {
            int off;
            if (read_zone(s, n, pos, &off)) return -1;
            st->has_off = 1;
            st->off_sec = off;
            break;
        }
        case EL_OFF_X: case EL_OFF_LX: case EL_OFF_Z: {
            int off = 0;
            if (e->kind != EL_OFF_LX && *pos < n && s[*pos] == 'Z') { (*pos)++; }
            else if (e->kind == EL_OFF_Z && c == 4) { if (read_zone(s, n, pos, &off)) return -1; }
            else {
                int colon = (c == 3 || c == 5) ? 1 : (c == 1 ? -1 : 0);
                if (read_offset(s, n, pos, colon, &off)) return -1;
            }
            st->has_off = 1;
            st->off_sec = off;
            break;
        }
        case EL_QUARTER: case EL_DOW: return -1; /* format only */
        }
    }
    return 0;
}

static int pstate_finish(struct pstate *st, int64_t *ts) {
    struct dt_tm tm = {0};
    tm.year = st->era_bc ? 1 - st->year : st->year;
    if (st->doy >= 0) {
        int len = dt_is_leap(tm.year) ? 366 : 365;
        if (st->doy < 1 || st->doy > len) return WERR_PARSE;
        int64_t y;
        int m, d;
        dt_civil_from_days(dt_days_from_civil(tm.year, 1, 1) + st->doy - 1, &y, &m, &d);
        if ((st->has_month && m != st->month) || (st->has_day && d != st->day)) return WERR_PARSE;
        tm.month = m;
        tm.day = d;
    } else {
        tm.month = st->month;
        tm.day = st->day;
    }
    int hour = 0;
    if (st->h24 >= 0) hour = st->h24;
    else if (st->k24 >= 0) hour = st->k24 == 24 ? 0 : st->k24 > 24 || st->k24 < 1 ? -1 : st->k24;
    else if (st->h12 >= 0) {
        if (st->h12 < 1 || st->h12 > 12) return WERR_PARSE;
        hour = st->h12 % 12 + (st->ampm == 1 ? 12 : 0);
    } else if (st->k11 >= 0) {
        if (st->k11 > 11) return WERR_PARSE;
        hour = st->k11 + (st->ampm == 1 ? 12 : 0);
    } else if (st->ampm >= 0) {
        hour = st->ampm == 1 ? 12 : 0;
    }
    if (st->h24 >= 0 && st->ampm >= 0 && (hour >= 12) != (st->ampm == 1)) return WERR_PARSE;
    tm.hour = hour;
    tm.minute = st->minute;
    tm.second = st->second;
    tm.micros = st->micros;
    int64_t v;
    if (dt_join(&tm, &v)) return WERR_PARSE;
    *ts = v - (int64_t)st->off_sec * DT_US_PER_SEC;
    return 0;
}

int dt_parse(const struct dt_pattern *p, const char *s, size_t n, int64_t *ts) {
    if (!p->can_parse) return WERR_UNSUPPORTED;
    struct pstate st = {.year = 1970, .month = 1, .day = 1, .doy = -1, .h24 = -1, .h12 = -1,
                        .k11 = -1, .k24 = -1, .ampm = -1};
    size_t pos = 0;
    if (parse_range(p, 0, p->n, s, n, &pos, &st) || pos != n) return WERR_PARSE;
    return pstate_finish(&st, ts);
}

/* ------------------------------------------------------------------ casts */

static void trim(const char **s, size_t *n) {
    while (*n && isspace((unsigned char)(*s)[0])) { (*s)++; (*n)--; }
    while (*n && isspace((unsigned char)(*s)[*n - 1])) (*n)--;
}

/* Reads "[+-]yyyy[-[m]m[-[d]d]]"; returns position after it or -1. */
static int read_date_part(const char *s, size_t n, size_t *pos, int64_t *y, int *m, int *d) {
    size_t i = *pos;
    int sign = 1;
    if (i < n && (s[i] == '-' || s[i] == '+')) { sign = s[i] == '-' ? -1 : 1; i++; }
    int64_t v;
    if (read_digits(s, n, &i, 4, 6, &v, NULL)) return -1;
    *y = sign * v;
    *m = 1;
    *d = 1;
    if (i < n && s[i] == '-') {
        i++;
        if (read_digits(s, n, &i, 1, 2, &v, NULL)) return -1;
        *m = (int)v;
        if (i < n && s[i] == '-') {
            i++;
            if (read_digits(s, n, &i, 1, 2, &v, NULL)) return -1;
            *d = (int)v;
        }
    }
    if (*m < 1 || *m > 12 || *d < 1 || *d > dt_days_in_month(*y, *m)) return -1;
    *pos = i;
    return 0;
}

int dt_cast_str_to_ts(const char *s, size_t n, int64_t *ts) {
    trim(&s, &n);
    struct dt_tm tm = {0};
    size_t i = 0;
    if (read_date_part(s, n, &i, &tm.year, &tm.month, &tm.day)) return WERR_PARSE;
    int off = 0;
    if (i < n) {
        if (s[i] != ' ' && s[i] != 'T') return WERR_PARSE;
        i++;
        int64_t v;
        if (i < n && isdigit((unsigned char)s[i])) {
            if (read_digits(s, n, &i, 1, 2, &v, NULL)) return WERR_PARSE;
            tm.hour = (int)v;
            if (i >= n || s[i] != ':') return WERR_PARSE;
            i++;
            if (read_digits(s, n, &i, 1, 2, &v, NULL)) return WERR_PARSE;
            tm.minute = (int)v;
            if (i < n && s[i] == ':') {
                i++;
                if (read_digits(s, n, &i, 1, 2, &v, NULL)) return WERR_PARSE;
                tm.second = (int)v;
                if (i < n && s[i] == '.') {
                    i++;
                    int nd;
                    if (read_digits(s, n, &i, 0, 9, &v, &nd)) return WERR_PARSE;
                    while (nd < 6) { v *= 10; nd++; }
                    while (nd > 6) { v /= 10; nd--; }
                    tm.micros = (int)v;
                }
            }
        }
        while (i < n && s[i] == ' ') i++;
        if (i < n) {
            if (read_zone(s, n, &i, &off) || i != n) return WERR_PARSE;
        }
    }
    int64_t v;
    if (dt_join(&tm, &v)) return WERR_PARSE;
    *ts = v - (int64_t)off * DT_US_PER_SEC;
    return 0;
}

static int fmt_year(char *out, int64_t y) {
    if (y >= 0 && y <= 9999) {
        out[0] = (char)('0' + y / 1000);
        out[1] = (char)('0' + y / 100 % 10);
        out[2] = (char)('0' + y / 10 % 10);
        out[3] = (char)('0' + y % 10);
        return 4;
    }
    if (y > 9999) return sprintf(out, "+%lld", (long long)y);
    return sprintf(out, "-%04lld", -(long long)y);
}

static char *put2(char *o, int v) {
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

/* Hot in sinks and console output: digits are written by hand. */
int dt_cast_ts_to_str(int64_t ts, char *out) {
    struct dt_tm tm;
    dt_split(ts, &tm);
    char *o = out + fmt_year(out, tm.year);
    *o++ = '-';
    o = put2(o, tm.month);
    *o++ = '-';
    o = put2(o, tm.day);
    *o++ = ' ';
    o = put2(o, tm.hour);
    *o++ = ':';
    o = put2(o, tm.minute);
    *o++ = ':';
    o = put2(o, tm.second);
    if (tm.micros) {
        int us = tm.micros, k = 6;
        char f[6];
        for (int i = 5; i >= 0; i--) { f[i] = (char)('0' + us % 10); us /= 10; }
        while (f[k - 1] == '0') k--;
        *o++ = '.';
        memcpy(o, f, (size_t)k);
        o += k;
    }
    *o = 0;
    return (int)(o - out);
}

int dt_cast_str_to_date(const char *s, size_t n, int32_t *days) {
    trim(&s, &n);
    int64_t y;
    int m, d;
    size_t i = 0;
    if (read_date_part(s, n, &i, &y, &m, &d)) return WERR_PARSE;
    if (i < n && s[i] != ' ' && s[i] != 'T') return WERR_PARSE;
    int64_t v = dt_days_from_civil(y, m, d);
    if (v > INT32_MAX || v < INT32_MIN) return WERR_PARSE;
    *days = (int32_t)v;
    return 0;
}

int dt_cast_date_to_str(int32_t days, char *out) {
    int64_t y;
    int m, d;
    dt_civil_from_days(days, &y, &m, &d);
    char *o = out + fmt_year(out, y);
    *o++ = '-';
    o = put2(o, m);
    *o++ = '-';
    o = put2(o, d);
    *o = 0;
    return (int)(o - out);
}

/* ------------------------------------------------------------------ intervals */

static const struct iunit {
    const char *name;
    int64_t us;     /* 0 for month-based units */
    int32_t months;
} iunits[] = {
    {"year", 0, 12}, {"month", 0, 1}, {"week", 7 * DT_US_PER_DAY, 0}, {"day", DT_US_PER_DAY, 0},
    {"hour", DT_US_PER_HOUR, 0}, {"minute", DT_US_PER_MIN, 0}, {"second", DT_US_PER_SEC, 0},
    {"millisecond", 1000, 0}, {"microsecond", 1, 0},
};

static int word_eq(const char *s, size_t n, const char *w) {
    size_t wl = strlen(w);
    if (n != wl) return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != w[i]) return 0;
    return 1;
}

/* Index of a unit word (singular or plural) in iunits, or -1. */
static int unit_index(const char *w, size_t wl) {
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < sizeof iunits / sizeof iunits[0]; k++)
            if (word_eq(w, wl, iunits[k].name)) return (int)k;
        if (wl < 2 || tolower((unsigned char)w[wl - 1]) != 's') break;
        wl--; /* plural */
    }
    return -1;
}

enum { IU_YEAR, IU_MONTH, IU_WEEK, IU_DAY, IU_HOUR, IU_MINUTE, IU_SECOND };

/* ANSI range form, after quotes were removed: "<value> <from> TO <to>", e.g.
 * "1:30 HOUR TO MINUTE", "2 10:00:00.5 DAY TO SECOND", "1-6 YEAR TO MONTH".
 * Returns 1 if buf is not of this form, else 0 or a WERR_*. */
static int parse_ansi_range(const char *b, size_t n, int32_t *months_out, int64_t *us_out) {
    /* the last three words must be <unit> TO <unit> */
    size_t we[3], ws[3], e = n;
    for (int k = 2; k >= 0; k--) {
        while (e > 0 && isspace((unsigned char)b[e - 1])) e--;
        size_t st = e;
        while (st > 0 && isalpha((unsigned char)b[st - 1])) st--;
        if (st == e) return 1;
        ws[k] = st;
        we[k] = e;
        e = st;
    }
    if (!word_eq(b + ws[1], we[1] - ws[1], "to")) return 1;
    int u1 = unit_index(b + ws[0], we[0] - ws[0]), u2 = unit_index(b + ws[2], we[2] - ws[2]);
    if (u1 < 0 || u2 < 0 || u1 == IU_WEEK || u2 <= u1 || u2 > IU_SECOND) return WERR_PARSE;
    if ((u1 == IU_YEAR) != (u2 == IU_MONTH) || u1 == IU_MONTH) return WERR_PARSE;
    size_t i = 0, end = ws[0];
    while (i < end && isspace((unsigned char)b[i])) i++;
    while (end > i && isspace((unsigned char)b[end - 1])) end--;
    int sign = 1;
    if (i < end && (b[i] == '-' || b[i] == '+')) { sign = b[i] == '-' ? -1 : 1; i++; }
    int64_t f[4] = {0, 0, 0, 0}; /* fields from u1 to u2 */
    int nf = u1 == IU_YEAR ? 2 : u2 - u1 + 1;
    int64_t frac = 0;
    int nfrac = 0;
    for (int k = 0; k < nf; k++) {
        if (k) {
            int unit = u1 == IU_YEAR ? IU_MONTH : u1 + k;
            char sep = u1 == IU_YEAR ? '-' : unit == IU_HOUR ? ' ' : ':';
            if (i >= end || b[i] != sep) return WERR_PARSE;
            i++;
        }
        int nd = 0;
        while (i < end && isdigit((unsigned char)b[i]) && nd < 12) { f[k] = f[k] * 10 + (b[i++] - '0'); nd++; }
        if (!nd) return WERR_PARSE;
    }
    if (u2 == IU_SECOND && i < end && b[i] == '.') {
        i++;
        while (i < end && isdigit((unsigned char)b[i])) {
            if (nfrac < 6) { frac = frac * 10 + (b[i] - '0'); nfrac++; }
            i++;
        }
        while (nfrac < 6) { frac *= 10; nfrac++; }
    }
    if (i != end) return WERR_PARSE;
    if (u1 == IU_YEAR) {
        if (!months_out) return WERR_UNSUPPORTED;
        if (f[1] > 11 || f[0] > INT32_MAX / 12 - 1) return WERR_RANGE;
        *months_out = (int32_t)(sign * (f[0] * 12 + f[1]));
        *us_out = 0;
        return 0;
    }
    int64_t v = 0;
    for (int k = 0; k < nf; k++) {
        int unit = u1 + k;
        if (k && ((unit == IU_HOUR && f[k] > 23) || (unit >= IU_MINUTE && f[k] > 59))) return WERR_RANGE;
        if (f[k] > INT64_MAX / iunits[unit].us / 2) return WERR_RANGE;
        v += f[k] * iunits[unit].us;
    }
    v += frac;
    if (months_out) *months_out = 0;
    *us_out = sign * v;
    return 0;
}

int dt_interval_parse(const char *s0, size_t n0, int32_t *months_out, int64_t *us_out) {
    /* Normalise into a small buffer: drop the INTERVAL keyword and quotes, so
     * "INTERVAL '10' MINUTE", "'1 hour'" and "1 hour" read alike. */
    char buf[256];
    size_t n = 0;
    const char *s = s0;
    size_t len = n0;
    trim(&s, &len);
    if (len >= 8 && word_eq(s, 8, "interval") && (len == 8 || isspace((unsigned char)s[8]))) { s += 8; len -= 8; }
    if (len >= sizeof buf) return WERR_PARSE;
    for (size_t i = 0; i < len; i++)
        if (s[i] != '\'' && s[i] != '"') buf[n++] = s[i];
    int rr = parse_ansi_range(buf, n, months_out, us_out);
    if (rr != 1) return rr;
    int64_t total_us = 0;
    int32_t total_months = 0;
    size_t i = 0;
    int parts = 0;
    for (;;) {
        while (i < n && isspace((unsigned char)buf[i])) i++;
        if (i >= n) break;
        int sign = 1;
        if (buf[i] == '-' || buf[i] == '+') { sign = buf[i] == '-' ? -1 : 1; i++; }
        int64_t whole = 0, frac = 0;
        int nd = 0, nfrac = 0;
        while (i < n && isdigit((unsigned char)buf[i])) {
            if (whole > INT64_MAX / 10 - 10) return WERR_PARSE;
            whole = whole * 10 + (buf[i++] - '0');
            nd++;
        }
        if (i < n && buf[i] == '.') {
            i++;
            while (i < n && isdigit((unsigned char)buf[i])) {
                if (nfrac < 6) { frac = frac * 10 + (buf[i] - '0'); nfrac++; }
                i++;
                nd++;
            }
        }
        if (!nd) return WERR_PARSE;
        while (i < n && isspace((unsigned char)buf[i])) i++;
        size_t ws = i;
        while (i < n && isalpha((unsigned char)buf[i])) i++;
        size_t wl = i - ws;
        if (!wl) return WERR_PARSE;
        if (wl > 1 && tolower((unsigned char)buf[ws + wl - 1]) == 's') {
            /* plural, unless the singular itself ends in s (none of ours do) */
            int found = 0;
            for (size_t k = 0; k < sizeof iunits / sizeof iunits[0]; k++)
                if (word_eq(buf + ws, wl, iunits[k].name)) found = 1;
            if (!found) wl--;
        }
        const struct iunit *u = NULL;
        for (size_t k = 0; k < sizeof iunits / sizeof iunits[0]; k++)
            if (word_eq(buf + ws, wl, iunits[k].name)) u = &iunits[k];
        if (!u) return WERR_PARSE;
        if (u->months) {
            if (nfrac) return WERR_PARSE;
            if (!months_out) return WERR_UNSUPPORTED;
            if (whole > INT32_MAX / 12) return WERR_RANGE;
            total_months += (int32_t)(sign * whole * u->months);
        } else {
            if (nfrac && u->us < DT_US_PER_SEC) return WERR_PARSE; /* Spark: fractions only for seconds+ */
            if (whole > INT64_MAX / u->us) return WERR_RANGE;
            int64_t scaled = 1;
            for (int k = 0; k < nfrac; k++) scaled *= 10;
            int64_t v = whole * u->us + (nfrac ? frac * (u->us / scaled) : 0);
            total_us += sign * v;
        }
        parts++;
    }
    if (!parts) return WERR_PARSE;
    if (months_out) *months_out = total_months;
    *us_out = total_us;
    return 0;
}

/* ------------------------------------------------------------------ functions */

int dt_unit_parse(const char *s, size_t n) {
    static const struct { const char *name; int unit; } names[] = {
        {"year", DT_UNIT_YEAR}, {"yyyy", DT_UNIT_YEAR}, {"yy", DT_UNIT_YEAR},
        {"quarter", DT_UNIT_QUARTER}, {"month", DT_UNIT_MONTH}, {"mm", DT_UNIT_MONTH},
        {"mon", DT_UNIT_MONTH}, {"week", DT_UNIT_WEEK}, {"day", DT_UNIT_DAY}, {"dd", DT_UNIT_DAY},
        {"hour", DT_UNIT_HOUR}, {"minute", DT_UNIT_MINUTE}, {"second", DT_UNIT_SECOND},
        {"millisecond", DT_UNIT_MILLISECOND}, {"microsecond", DT_UNIT_MICROSECOND},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (word_eq(s, n, names[i].name)) return names[i].unit;
    return -1;
}

int64_t dt_trunc(int64_t ts, enum dt_unit unit) {
    struct dt_tm tm;
    switch (unit) {
    case DT_UNIT_MICROSECOND: return ts;
    case DT_UNIT_MILLISECOND: return ts - dt_floormod(ts, 1000);
    case DT_UNIT_SECOND: return ts - dt_floormod(ts, DT_US_PER_SEC);
    case DT_UNIT_MINUTE: return ts - dt_floormod(ts, DT_US_PER_MIN);
    case DT_UNIT_HOUR: return ts - dt_floormod(ts, DT_US_PER_HOUR);
    case DT_UNIT_DAY: return ts - dt_floormod(ts, DT_US_PER_DAY);
    case DT_UNIT_WEEK: {
        int64_t days = dt_floordiv(ts, DT_US_PER_DAY);
        days -= dt_floormod(days + 3, 7); /* back to Monday */
        return days * DT_US_PER_DAY;
    }
    case DT_UNIT_MONTH: case DT_UNIT_QUARTER: case DT_UNIT_YEAR: {
        dt_split(ts, &tm);
        int m = unit == DT_UNIT_YEAR ? 1 : unit == DT_UNIT_QUARTER ? (tm.month - 1) / 3 * 3 + 1 : tm.month;
        return dt_days_from_civil(tm.year, m, 1) * DT_US_PER_DAY;
    }
    }
    return ts;
}

int dt_year(int64_t ts) { struct dt_tm t; dt_split(ts, &t); return (int)t.year; }
int dt_month(int64_t ts) { struct dt_tm t; dt_split(ts, &t); return t.month; }
int dt_quarter(int64_t ts) { return (dt_month(ts) - 1) / 3 + 1; }
int dt_dayofmonth(int64_t ts) { struct dt_tm t; dt_split(ts, &t); return t.day; }
int dt_dayofyear(int64_t ts) { struct dt_tm t; dt_split(ts, &t); return t.doy; }
int dt_dayofweek(int64_t ts) { struct dt_tm t; dt_split(ts, &t); return t.dow % 7 + 1; }
int dt_weekday(int64_t ts) { struct dt_tm t; dt_split(ts, &t); return t.dow - 1; }
int dt_hour(int64_t ts) { return (int)(dt_floormod(ts, DT_US_PER_DAY) / DT_US_PER_HOUR); }
int dt_minute(int64_t ts) { return (int)(dt_floormod(ts, DT_US_PER_HOUR) / DT_US_PER_MIN); }
int dt_second(int64_t ts) { return (int)(dt_floormod(ts, DT_US_PER_MIN) / DT_US_PER_SEC); }

int dt_weekofyear(int64_t ts) {
    /* ISO week: the week with the year's first Thursday is week 1. */
    int64_t days = dt_floordiv(ts, DT_US_PER_DAY);
    int64_t thursday = days - dt_floormod(days + 3, 7) + 3; /* Thursday of this ISO week */
    int64_t y;
    int m, d;
    dt_civil_from_days(thursday, &y, &m, &d);
    return (int)((thursday - dt_days_from_civil(y, 1, 1)) / 7 + 1);
}

static struct dt_pattern *default_pattern(void) {
    /* "yyyy-MM-dd HH:mm:ss", built by hand so no allocation or lock is needed */
    static struct el els[] = {
        {EL_YEAR, 4, 0, 0, 0}, {EL_LIT, 0, 0, 1, 0}, {EL_MONTH, 2, 0, 0, 0}, {EL_LIT, 0, 0, 1, 0},
        {EL_DAY, 2, 0, 0, 0}, {EL_LIT, 0, 1, 1, 0}, {EL_H24, 2, 0, 0, 0}, {EL_LIT, 0, 2, 1, 0},
        {EL_MIN, 2, 0, 0, 0}, {EL_LIT, 0, 2, 1, 0}, {EL_SEC, 2, 0, 0, 0},
    };
    static char lits[] = "- :";
    static struct dt_pattern p = {(int)(sizeof els / sizeof els[0]), 1, els, lits};
    return &p;
}

int dt_from_unixtime(int64_t sec, const struct dt_pattern *fmt, char *out, size_t cap) {
    if (sec > INT64_MAX / DT_US_PER_SEC || sec < INT64_MIN / DT_US_PER_SEC) return WERR_RANGE;
    return dt_format(fmt ? fmt : default_pattern(), sec * DT_US_PER_SEC, out, cap);
}

int dt_unix_timestamp(const char *s, size_t n, const struct dt_pattern *fmt, int64_t *sec) {
    int64_t ts;
    int rc = dt_parse(fmt ? fmt : default_pattern(), s, n, &ts);
    if (rc) return rc;
    *sec = dt_floordiv(ts, DT_US_PER_SEC);
    return 0;
}
