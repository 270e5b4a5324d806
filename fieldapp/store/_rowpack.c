/* The compiled twin of fieldapp/store/rows.py's record packing (issue 15: the store's goal of
 * 100,000 samples a second with six neighbours, out of reach for the pure-Python packing).
 *
 * Packer.record(sample) returns exactly the text rows._pack_python(sample) returns: the JSON
 * array [serving, signal, registration, position, neighbours], every cell written in its form
 * (code, then its values up to the writer's cut), with the separators "," and ":" and floats as
 * Python's repr (what json.dumps writes), e.g.
 *
 *   [[1,262,1,6699,15437,7,35,25,-85.0,5,3,[7,3,false,null,null,"TCH/F",null]],null,null,null,
 *    [[2,12,21,30,-80.0,17,19]]]
 *
 * It reads the records' slots directly (their offsets are taken once from the classes' member
 * descriptors), so it only takes the exact classes it was made for and plain values: None,
 * bool, int (64-bit), float, str. For anything else (a subclass, a numpy number, a huge int, a
 * str that is not valid UTF-8, an unset slot) it returns None and the caller packs the sample
 * with the Python code, which gives the same text or the standard library's error. The forms,
 * cuts and field orders all come from rows.py: nothing about the layout is written here.
 * tests/fieldapp/test_rowpack.py checks the two give identical text for any sample.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <string.h>

#define MAX_FIELDS 40
#define MAX_FORMS 16
#define MAX_CUTS 8

typedef struct {
    Py_ssize_t n;                   /* number of fields */
    Py_ssize_t offsets[MAX_FIELDS]; /* slot offsets in the class */
} Part;

typedef struct {
    PyObject *role;  /* str or NULL (form 0: any) */
    PyObject *tech;
    Part fields;     /* the form's field order */
    Py_ssize_t ncuts;
    Py_ssize_t cuts[MAX_CUTS];
    Py_ssize_t channel_at;  /* index of "channel" in the form's fields */
} Form;

typedef struct {
    PyObject_HEAD
    PyTypeObject *sample_t, *cell_t, *channel_t, *signal_t, *registration_t, *position_t;
    Py_ssize_t s_serving, s_signal, s_registration, s_position, s_neighbours, s_ts, s_tech, s_mode;
    Py_ssize_t c_role, c_tech;
    /* the query columns' sources (row()) */
    Py_ssize_t c_mcc, c_mnc, c_lac, c_ci, c_arfcn, c_pci, c_rxqual, c_rxlev_dbm, c_rscp_dbm, c_rsrp_dbm;
    Py_ssize_t r_mcc, r_mnc, r_lac, r_ci;
    Py_ssize_t g_rssi_dbm, g_rscp_dbm, g_rsrp_dbm, g_rxqual;
    Py_ssize_t p_lat, p_lon;
    PyObject *umts, *lte;  /* the technologies whose level is not RXLEV */
    Py_ssize_t nforms;
    Form forms[MAX_FORMS];
    Part channel, signal, registration, position;
    Py_ssize_t hopping_at;  /* index of "hopping" in the channel's fields */
    char *buf;
    Py_ssize_t len, cap;
} Packer;

/* ------------------------------------------------------------------ output buffer */

static int grow(Packer *p, Py_ssize_t need) {
    if (p->len + need <= p->cap)
        return 0;
    Py_ssize_t cap = p->cap ? p->cap : 1024;
    while (cap < p->len + need)
        cap *= 2;
    char *buf = PyMem_Realloc(p->buf, cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    p->buf = buf;
    p->cap = cap;
    return 0;
}

static int put(Packer *p, const char *s, Py_ssize_t n) {
    if (grow(p, n) < 0)
        return -1;
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    return 0;
}

static int putc_(Packer *p, char c) {
    if (p->len >= p->cap && grow(p, 1) < 0)
        return -1;
    p->buf[p->len++] = c;
    return 0;
}

/* ------------------------------------------------------------------ values */

/* Results of the writers: 0 written, -1 a Python error, 1 "not mine" (the caller falls back). */
#define NOT_MINE 1

static int put_str(Packer *p, PyObject *s) {
    /* json's encode_basestring (ensure_ascii=False): " \ and control characters escaped. */
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);
    if (u == NULL) {  /* a lone surrogate: not UTF-8; the Python path writes it */
        PyErr_Clear();
        return NOT_MINE;
    }
    if (grow(p, 2 + 6 * n) < 0)
        return -1;
    char *o = p->buf + p->len;
    *o++ = '"';
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default: {
            static const char hex[] = "0123456789abcdef";
            *o++ = 'u'; *o++ = '0'; *o++ = '0';
            *o++ = hex[c >> 4]; *o++ = hex[c & 15];
        }
        }
    }
    *o++ = '"';
    p->len = o - p->buf;
    return 0;
}

/* A 64-bit int in decimal (what int.__repr__ writes); ``sign`` is written first when given
 * (a float between -1 and 0 has the whole part 0 but prints "-0.5"). */
static int put_int(Packer *p, long long x, const char *sign) {
    char tmp[24], *e = tmp + sizeof tmp, *o = e;
    unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
    do {
        *--o = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (x < 0)
        *--o = '-';
    if (sign != NULL && *sign && put(p, sign, (Py_ssize_t)strlen(sign)) < 0)
        return -1;
    return put(p, o, e - o);
}

/* Most floats a device or a log gives have a few decimals: a level in 0.1 dB (-11.4), a time in
 * ms (1764325636.567), a coordinate in 1e-6 degrees. For those, float.__repr__ (the shortest
 * text that reads back as the same double) is the integer k = x * 10^d at the smallest d that
 * reads back, with the point put in: k / 10^d, both exact doubles, divides to the double
 * nearest k / 10^d, which is what reading the text gives. The bounds keep k exact (< 2^52) and
 * 10^-d far above the spacing of doubles near x, so only one k can read back at that d, and
 * keep x in the range repr writes without an exponent. Anything else (and zero, for its sign)
 * goes to PyOS_double_to_string. Returns 1 when written (p->len = -1 after a memory error). */
static int put_short_float(Packer *p, double x) {
    static const double pow10[7] = {1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6};
    double ax = fabs(x);
    if (x == 0.0 || ax < 1e-4 || ax >= 1e15)
        return 0;
    char tmp[40], *e = tmp + sizeof tmp, *o = e;
    unsigned long long u;
    int d;
    if (x == floor(x)) {  /* a whole number: "85.0" */
        d = 0;
        u = (unsigned long long)ax;
    } else {
        for (d = 1; d <= 6; d++) {
            if (ax >= 1125899906842624.0 / pow10[d])  /* 2^50 / 10^d: see above */
                return 0;
            double k = nearbyint(ax * pow10[d]);
            if (k / pow10[d] == ax) {
                u = (unsigned long long)k;
                break;
            }
        }
        if (d > 6)
            return 0;
    }
    if (d == 0)
        *--o = '0';
    for (int i = 0; i < d; i++) {
        *--o = (char)('0' + u % 10);
        u /= 10;
    }
    *--o = '.';
    do {
        *--o = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (x < 0)
        *--o = '-';
    if (put(p, o, e - o) < 0)
        p->len = -1;
    return 1;
}

static int put_value(Packer *p, PyObject *v) {
    if (v == Py_None)
        return put(p, "null", 4);
    if (v == Py_True)
        return put(p, "true", 4);
    if (v == Py_False)
        return put(p, "false", 5);
    if (PyLong_CheckExact(v)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow)
            return NOT_MINE;
        if (x == -1 && PyErr_Occurred())
            return -1;
        return put_int(p, x, NULL);
    }
    if (PyFloat_CheckExact(v)) {
        double x = PyFloat_AS_DOUBLE(v);
        if (!isfinite(x)) {  /* allow_nan: what json.dumps writes */
            if (isnan(x))
                return put(p, "NaN", 3);
            return x > 0 ? put(p, "Infinity", 8) : put(p, "-Infinity", 9);
        }
        if (put_short_float(p, x))
            return p->len < 0 ? -1 : 0;
        /* float.__repr__, as json.dumps writes a float */
        char *s = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
        if (s == NULL)
            return -1;
        int r = put(p, s, (Py_ssize_t)strlen(s));
        PyMem_Free(s);
        return r;
    }
    if (PyUnicode_CheckExact(v))
        return put_str(p, v);
    return NOT_MINE;
}

/* A slot's value (borrowed), or NULL when the slot is unset (the Python path raises then). */
static inline PyObject *slot(PyObject *obj, Py_ssize_t offset) {
    return *(PyObject **)((char *)obj + offset);
}

/* A record written whole, its fields in the part's order: [v,v,...]. The field at ``bool_at``
 * (the channel's hopping flag; -1: none) is written as a bool when a device gave it as 0/1, as
 * rows.py does; any other non-bool there is left to rows.py (no Python code runs here while
 * values are borrowed). */
static int put_part(Packer *p, PyObject *obj, PyTypeObject *type, const Part *part, Py_ssize_t bool_at) {
    if (Py_TYPE(obj) != type)
        return NOT_MINE;
    if (putc_(p, '[') < 0)
        return -1;
    for (Py_ssize_t i = 0; i < part->n; i++) {
        PyObject *v = slot(obj, part->offsets[i]);
        if (v == NULL)
            return NOT_MINE;
        if (i && putc_(p, ',') < 0)
            return -1;
        int r;
        if (i == bool_at && v != Py_None && v != Py_True && v != Py_False) {
            if (!PyLong_CheckExact(v))
                return NOT_MINE;
            r = PyObject_IsTrue(v) ? put(p, "true", 4) : put(p, "false", 5);
        } else {
            r = put_value(p, v);
        }
        if (r)
            return r;
    }
    return putc_(p, ']');
}

static int same_str(PyObject *a, PyObject *b) {
    /* a: a cell's role/tech (str or None); b: a form's (str). */
    if (a == b)
        return 1;
    if (!PyUnicode_CheckExact(a))
        return 0;
    return PyUnicode_Compare(a, b) == 0;
}

static int put_cell(Packer *p, PyObject *cell) {
    if (Py_TYPE(cell) != p->cell_t)
        return NOT_MINE;
    PyObject *role = slot(cell, p->c_role), *tech = slot(cell, p->c_tech);
    if (role == NULL || tech == NULL)
        return NOT_MINE;
    /* The dict lookups of rows.py compare by equality: a str subclass could hash equal there. */
    if ((role != Py_None && !PyUnicode_CheckExact(role)) || (tech != Py_None && !PyUnicode_CheckExact(tech)))
        return NOT_MINE;
    const Form *f = &p->forms[0];
    for (Py_ssize_t k = 1; k < p->nforms; k++) {
        if (same_str(tech, p->forms[k].tech) && same_str(role, p->forms[k].role)) {
            f = &p->forms[k];
            break;
        }
    }
    PyObject *values[MAX_FIELDS];
    Py_ssize_t n = f->fields.n;
    for (Py_ssize_t i = 0; i < n; i++) {
        values[i] = slot(cell, f->fields.offsets[i]);
        if (values[i] == NULL)
            return NOT_MINE;
    }
    /* The writer's cut: the first cut whose remaining values are all None. */
    Py_ssize_t end = n;
    for (Py_ssize_t c = 0; c < f->ncuts; c++) {
        Py_ssize_t k = f->cuts[c], i = k;
        while (i < n && values[i] == Py_None)
            i++;
        if (i == n) {
            end = k;
            break;
        }
    }
    char code[24];
    int len = snprintf(code, sizeof code, "[%zd", (Py_ssize_t)(f - p->forms));
    if (put(p, code, len) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < end; i++) {
        if (putc_(p, ',') < 0)
            return -1;
        int r = (i == f->channel_at && values[i] != Py_None)
                    ? put_part(p, values[i], p->channel_t, &p->channel, p->hopping_at)
                    : put_value(p, values[i]);
        if (r)
            return r;
    }
    return putc_(p, ']');
}

static int put_record(Packer *p, PyObject *sample) {
    if (Py_TYPE(sample) != p->sample_t)
        return NOT_MINE;
    PyObject *serving = slot(sample, p->s_serving), *signal = slot(sample, p->s_signal),
             *registration = slot(sample, p->s_registration), *position = slot(sample, p->s_position),
             *neighbours = slot(sample, p->s_neighbours);
    if (!serving || !signal || !registration || !position || !neighbours)
        return NOT_MINE;
    int r;
    if (putc_(p, '[') < 0)
        return -1;
    r = serving == Py_None ? put(p, "null", 4) : put_cell(p, serving);
    if (r)
        return r;
    struct { PyObject *obj; PyTypeObject *type; const Part *part; } parts[3] = {
        {signal, p->signal_t, &p->signal},
        {registration, p->registration_t, &p->registration},
        {position, p->position_t, &p->position},
    };
    for (int i = 0; i < 3; i++) {
        if (putc_(p, ',') < 0)
            return -1;
        r = parts[i].obj == Py_None ? put(p, "null", 4) : put_part(p, parts[i].obj, parts[i].type, parts[i].part, -1);
        if (r)
            return r;
    }
    if (put(p, ",[", 2) < 0)
        return -1;
    /* Anything but a tuple or list of neighbours is left to rows.py. No Python code runs while
     * packing, so the borrowed items stay alive and the list keeps its size. */
    if (!PyTuple_CheckExact(neighbours) && !PyList_CheckExact(neighbours))
        return NOT_MINE;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(neighbours);
    PyObject **items = PySequence_Fast_ITEMS(neighbours);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i && putc_(p, ',') < 0)
            return -1;
        r = put_cell(p, items[i]);
        if (r)
            return r;
    }
    return put(p, "]]", 2);
}

static PyObject *Packer_record(Packer *p, PyObject *sample) {
    p->len = 0;
    int r = put_record(p, sample);
    if (r < 0)
        return NULL;
    if (r == NOT_MINE)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(p->buf, p->len, NULL);
}

/* ------------------------------------------------------------------ the whole row
 *
 * Packer.row(session_id, layout_id, sample) is rows.sample_row_python's tuple (SAMPLE_COLUMNS):
 * the record text, the number of neighbours and the query columns, among them the level the
 * views plot, model.Sample.rxlev_dbm (the serving cell's level in its technology's terms, else
 * the signal's +CESQ level on UMTS/LTE, else its +CSQ RSSI), and Sample.rxqual. None when the
 * record is not this packer's (see record()) or the sample's tech is not a plain str. */

static inline int is_tech(PyObject *tech, PyObject *name) {
    return tech == name || (PyUnicode_CheckExact(tech) && PyUnicode_Compare(tech, name) == 0);
}

/* model.tech_level: RSCP on UMTS, RSRP on LTE, else the RXLEV/RSSI dBm (borrowed). */
static PyObject *tech_level(Packer *p, PyObject *tech, PyObject *rxlev, PyObject *rscp, PyObject *rsrp) {
    if (rscp != Py_None && is_tech(tech, p->umts))
        return rscp;
    if (rsrp != Py_None && is_tech(tech, p->lte))
        return rsrp;
    return rxlev;
}

/* A query column's value as SQLite's INTEGER can hold it: a whole number beyond 64 bits (a
 * garbled 20-digit cell id) is NULL there; record_json keeps it (borrowed). */
static PyObject *sql_value(PyObject *v) {
    if (PyLong_CheckExact(v)) {
        int overflow;
        PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow)
            return Py_None;
    }
    return v;
}

static PyObject *Packer_row(Packer *p, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "row(session_id, layout_id, sample)");
        return NULL;
    }
    PyObject *sample = args[2];
    p->len = 0;
    int r = put_record(p, sample);  /* checks the classes and that the slots are set */
    if (r < 0)
        return NULL;
    PyObject *tech = slot(sample, p->s_tech), *mode = slot(sample, p->s_mode), *ts = slot(sample, p->s_ts);
    if (r == NOT_MINE || tech == NULL || mode == NULL || ts == NULL || (tech != Py_None && !PyUnicode_CheckExact(tech)))
        Py_RETURN_NONE;
    PyObject *serving = slot(sample, p->s_serving), *signal = slot(sample, p->s_signal),
             *registration = slot(sample, p->s_registration), *position = slot(sample, p->s_position),
             *neighbours = slot(sample, p->s_neighbours);
    PyObject *none = Py_None, *query[6] = {none, none, none, none, none, none};
    PyObject *level = none, *rxqual = none;
    if (serving != none) {
        PyObject *q[6] = {slot(serving, p->c_mcc), slot(serving, p->c_mnc), slot(serving, p->c_lac),
                          slot(serving, p->c_ci), slot(serving, p->c_arfcn), slot(serving, p->c_pci)};
        if (registration != none && q[2] == none && q[3] == none) {
            q[2] = slot(registration, p->r_lac);
            q[3] = slot(registration, p->r_ci);
        }
        memcpy(query, q, sizeof q);
        level = tech_level(p, slot(serving, p->c_tech), slot(serving, p->c_rxlev_dbm), slot(serving, p->c_rscp_dbm),
                           slot(serving, p->c_rsrp_dbm));
        rxqual = slot(serving, p->c_rxqual);
    } else if (registration != none) {
        /* a plain 27.007 handset: no serving cell, the cell from +CREG (and +COPS) only */
        query[0] = slot(registration, p->r_mcc);
        query[1] = slot(registration, p->r_mnc);
        query[2] = slot(registration, p->r_lac);
        query[3] = slot(registration, p->r_ci);
    }
    if (level == none && signal != none) {
        if (is_tech(tech, p->umts) || is_tech(tech, p->lte))
            level = tech_level(p, tech, none, slot(signal, p->g_rscp_dbm), slot(signal, p->g_rsrp_dbm));
        else
            level = slot(signal, p->g_rssi_dbm);
    }
    if (rxqual == none && signal != none)
        rxqual = slot(signal, p->g_rxqual);
    PyObject *text = PyUnicode_DecodeUTF8(p->buf, p->len, NULL);
    if (text == NULL)
        return NULL;
    PyObject *count = PyLong_FromSsize_t(PySequence_Fast_GET_SIZE(neighbours));
    if (count == NULL) {
        Py_DECREF(text);
        return NULL;
    }
    PyObject *row = PyTuple_New(17);
    if (row == NULL) {
        Py_DECREF(text);
        Py_DECREF(count);
        return NULL;
    }
    PyObject *lat = position == none ? none : slot(position, p->p_lat);
    PyObject *lon = position == none ? none : slot(position, p->p_lon);
    PyObject *borrowed[17] = {args[0], ts, tech, mode, args[1], NULL, NULL, sql_value(query[0]),
                              sql_value(query[1]), sql_value(query[2]), sql_value(query[3]), sql_value(query[4]),
                              sql_value(query[5]), sql_value(level), sql_value(rxqual), lat, lon};
    for (int i = 0; i < 17; i++) {
        if (i == 5 || i == 6)
            continue;
        PyTuple_SET_ITEM(row, i, Py_NewRef(borrowed[i]));
    }
    PyTuple_SET_ITEM(row, 5, text);
    PyTuple_SET_ITEM(row, 6, count);
    return row;
}

/* ------------------------------------------------------------------ reading
 *
 * Packer.sample(text, ts_utc, tech, mode) rebuilds the Sample from a record_json text this
 * layout wrote: what rows.SampleReader builds through json.loads and the classes' __init__, the
 * same values of the same types, with the records' slots filled directly. Text it is not made
 * for (whitespace, a string with an escape, a form or a length this layout does not have, a
 * number JSON would refuse) gives None, and rows.py reads the row in Python (which gives the
 * same record, or json's error). */

typedef struct {
    const char *s, *end;
} Cur;

/* Results as above: a new reference, or NULL with an error set, or NULL without one ("not mine"). */

/* The end of one or more digits from ``q``, or NULL where there is none. */
static const char *digits(const char *q, const char *end) {
    const char *first = q;
    while (q < end && *q >= '0' && *q <= '9')
        q++;
    return q == first ? NULL : q;
}

static PyObject *parse_number(Cur *c) {
    const char *start = c->s, *q = c->s;
    int is_float = 0;
    if (q < c->end && *q == '-')
        q++;
    if (q + 8 <= c->end && memcmp(q, "Infinity", 8) == 0) {
        c->s = q + 8;
        return PyFloat_FromDouble(start[0] == '-' ? -Py_HUGE_VAL : Py_HUGE_VAL);
    }
    /* JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)? */
    if (q >= c->end || *q < '0' || *q > '9')
        return NULL;
    if (*q == '0') {
        q++;
    } else {
        while (q < c->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < c->end && *q == '.') {
        is_float = 1;
        if ((q = digits(q + 1, c->end)) == NULL)
            return NULL;
    }
    if (q < c->end && (*q == 'e' || *q == 'E')) {
        is_float = 1;
        q++;
        if (q < c->end && (*q == '+' || *q == '-'))
            q++;
        if ((q = digits(q, c->end)) == NULL)
            return NULL;
    }
    Py_ssize_t n = q - start;
    c->s = q;
    if (!is_float && n <= 18) {  /* fits a long long: int(text) */
        long long x = 0;
        const char *d = start[0] == '-' ? start + 1 : start;
        for (; d < q; d++)
            x = x * 10 + (*d - '0');
        return PyLong_FromLongLong(start[0] == '-' ? -x : x);
    }
    char tmp[64];
    if (n >= (Py_ssize_t)sizeof tmp)
        return NULL;
    memcpy(tmp, start, n);
    tmp[n] = 0;
    if (!is_float)
        return PyLong_FromString(tmp, NULL, 10);
    double x = PyOS_string_to_double(tmp, NULL, NULL);  /* float(text), as json.loads reads it */
    if (x == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(x);
}

/* Takes the keyword ``w`` (``n`` bytes) when the text goes on with it. */
static inline int word(Cur *c, const char *w, Py_ssize_t n) {
    if (c->end - c->s < n || memcmp(c->s, w, n) != 0)
        return 0;
    c->s += n;
    return 1;
}

static PyObject *parse_scalar(Cur *c) {
    if (c->s >= c->end)
        return NULL;
    switch (*c->s) {
    case 'n':
        if (word(c, "null", 4))
            Py_RETURN_NONE;
        return NULL;
    case 't':
        if (word(c, "true", 4))
            Py_RETURN_TRUE;
        return NULL;
    case 'f':
        if (word(c, "false", 5))
            Py_RETURN_FALSE;
        return NULL;
    case 'N':
        if (word(c, "NaN", 3))
            return PyFloat_FromDouble(Py_NAN);
        return NULL;
    case '"': {
        const char *q = c->s + 1;
        while (q < c->end && *q != '"') {
            if (*q == '\\' || (unsigned char)*q < 0x20)  /* an escape: json.loads reads it */
                return NULL;
            q++;
        }
        if (q >= c->end)
            return NULL;
        PyObject *str = PyUnicode_DecodeUTF8(c->s + 1, q - c->s - 1, "strict");
        c->s = q + 1;
        return str;
    }
    default:
        return parse_number(c);
    }
}

static inline int expect(Cur *c, char ch) {
    if (c->s < c->end && *c->s == ch) {
        c->s++;
        return 1;
    }
    return 0;
}

/* Fills ``obj``'s slots at ``offsets`` with ``values`` (references stolen). */
static void fill(PyObject *obj, const Py_ssize_t *offsets, PyObject **values, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        *(PyObject **)((char *)obj + offsets[i]) = values[i];
}

static void drop(PyObject **values, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        Py_XDECREF(values[i]);
}

/* "[v,v,...]" with exactly part->n scalars, as an instance of ``type``; "null" as None. */
static PyObject *parse_part(Cur *c, PyTypeObject *type, const Part *part) {
    PyObject *values[MAX_FIELDS];
    if (c->s < c->end && *c->s == 'n')
        return parse_scalar(c);
    if (!expect(c, '['))
        return NULL;
    Py_ssize_t n = 0;
    for (; n < part->n; n++) {
        if (n && !expect(c, ','))
            break;
        values[n] = parse_scalar(c);
        if (values[n] == NULL)
            break;
    }
    if (n < part->n || !expect(c, ']')) {
        drop(values, n);
        return NULL;
    }
    PyObject *obj = type->tp_alloc(type, 0);
    if (obj == NULL) {
        drop(values, n);
        return NULL;
    }
    fill(obj, part->offsets, values, n);
    return obj;
}

static PyObject *parse_cell(Packer *p, Cur *c) {
    if (!expect(c, '['))
        return NULL;
    Py_ssize_t code = 0;
    const char *d = c->s;
    while (c->s < c->end && *c->s >= '0' && *c->s <= '9' && c->s - d < 3)
        code = code * 10 + (*c->s++ - '0');
    if (c->s == d || code >= p->nforms)
        return NULL;
    const Form *f = &p->forms[code];
    PyObject *values[MAX_FIELDS];
    Py_ssize_t n = 0;
    while (expect(c, ',')) {
        if (n >= f->fields.n) {
            drop(values, n);
            return NULL;
        }
        if (n == f->channel_at && c->s < c->end && *c->s == '[')
            values[n] = parse_part(c, p->channel_t, &p->channel);
        else
            values[n] = parse_scalar(c);
        if (values[n] == NULL) {
            drop(values, n);
            return NULL;
        }
        n++;
    }
    if (!expect(c, ']')) {
        drop(values, n);
        return NULL;
    }
    for (Py_ssize_t i = n; i < f->fields.n; i++)  /* the trailing nulls the writer left out */
        values[i] = Py_NewRef(Py_None);
    PyObject *cell = p->cell_t->tp_alloc(p->cell_t, 0);
    if (cell == NULL) {
        drop(values, f->fields.n);
        return NULL;
    }
    fill(cell, f->fields.offsets, values, f->fields.n);
    if (f->role != NULL && f->role != Py_None) {  /* implied by the form */
        *(PyObject **)((char *)cell + p->c_role) = Py_NewRef(f->role);
        *(PyObject **)((char *)cell + p->c_tech) = Py_NewRef(f->tech);
    }
    return cell;
}

static PyObject *Packer_sample(Packer *p, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "sample(text, ts_utc, tech, mode)");
        return NULL;
    }
    if (!PyUnicode_CheckExact(args[0]))
        Py_RETURN_NONE;
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(args[0], &len);
    if (text == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    Cur c = {text, text + len};
    PyObject *parts[4] = {NULL, NULL, NULL, NULL}, *neighbours = NULL, *sample = NULL;
    if (!expect(&c, '['))
        goto not_mine;
    parts[0] = c.s < c.end && *c.s == 'n' ? parse_scalar(&c) : parse_cell(p, &c);
    if (parts[0] == NULL || !expect(&c, ','))
        goto not_mine;
    PyTypeObject *types[3] = {p->signal_t, p->registration_t, p->position_t};
    const Part *layouts[3] = {&p->signal, &p->registration, &p->position};
    for (int i = 0; i < 3; i++) {
        parts[i + 1] = parse_part(&c, types[i], layouts[i]);
        if (parts[i + 1] == NULL || !expect(&c, ','))
            goto not_mine;
    }
    if (!expect(&c, '['))
        goto not_mine;
    PyObject *cells[64];
    Py_ssize_t n = 0;
    if (!expect(&c, ']')) {
        do {
            if (n == 64) {
                drop(cells, n);
                goto not_mine;
            }
            cells[n] = parse_cell(p, &c);
            if (cells[n] == NULL) {
                drop(cells, n);
                goto not_mine;
            }
            n++;
        } while (expect(&c, ','));
        if (!expect(&c, ']')) {
            drop(cells, n);
            goto not_mine;
        }
    }
    if (!expect(&c, ']') || c.s != c.end) {
        drop(cells, n);
        goto not_mine;
    }
    neighbours = PyTuple_New(n);
    if (neighbours == NULL) {
        drop(cells, n);
        goto error;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SET_ITEM(neighbours, i, cells[i]);
    sample = p->sample_t->tp_alloc(p->sample_t, 0);
    if (sample == NULL)
        goto error;
    Py_ssize_t offsets[8] = {p->s_ts, p->s_tech, p->s_serving, p->s_neighbours, p->s_signal,
                             p->s_registration, p->s_position, p->s_mode};
    PyObject *values[8] = {Py_NewRef(args[1]), Py_NewRef(args[2]), parts[0], neighbours, parts[1], parts[2],
                           parts[3], Py_NewRef(args[3])};
    fill(sample, offsets, values, 8);
    return sample;
not_mine:
    if (PyErr_Occurred())  /* e.g. a float json would read differently: leave it all to json */
        PyErr_Clear();
    drop(parts, 4);
    Py_RETURN_NONE;
error:
    drop(parts, 4);
    Py_XDECREF(neighbours);
    return NULL;
}

/* ------------------------------------------------------------------ set-up */

/* The slot offset of ``name`` in ``type`` (a member descriptor of a slots class). */
static int offset_of(PyTypeObject *type, PyObject *name, Py_ssize_t *out) {
    PyObject *d = PyObject_GetAttr((PyObject *)type, name);
    if (d == NULL)
        return -1;
    if (!Py_IS_TYPE(d, &PyMemberDescr_Type)) {
        PyErr_Format(PyExc_TypeError, "%s.%U is not a slot", type->tp_name, name);
        Py_DECREF(d);
        return -1;
    }
    PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
    if (m->type != T_OBJECT_EX && m->type != T_OBJECT) {
        PyErr_Format(PyExc_TypeError, "%s.%U is not an object slot", type->tp_name, name);
        Py_DECREF(d);
        return -1;
    }
    *out = m->offset;
    Py_DECREF(d);
    return 0;
}

static int offset_of_str(PyTypeObject *type, const char *name, Py_ssize_t *out) {
    PyObject *s = PyUnicode_FromString(name);
    if (s == NULL)
        return -1;
    int r = offset_of(type, s, out);
    Py_DECREF(s);
    return r;
}

static int make_part(PyTypeObject *type, PyObject *names, Part *part) {
    PyObject *seq = PySequence_Fast(names, "field names must be a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > MAX_FIELDS) {
        PyErr_SetString(PyExc_ValueError, "too many fields");
        Py_DECREF(seq);
        return -1;
    }
    part->n = n;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (offset_of(type, PySequence_Fast_GET_ITEM(seq, i), &part->offsets[i]) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

static int is_type(PyObject *o) {
    if (!PyType_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "expected a class");
        return 0;
    }
    return 1;
}

/* Packer(Sample, Cell, Channel, Signal, Registration, Position,
 *        forms=[(role, tech, names, cuts, channel_at), ...],
 *        channel=[names], hopping_at, signal=[names], registration=[names], position=[names]) */
static int Packer_init(Packer *p, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"sample", "cell", "channel_type", "signal_type", "registration_type", "position_type",
                             "forms", "channel", "hopping_at", "signal", "registration", "position", "umts", "lte",
                             NULL};
    PyObject *types[6], *forms, *channel, *signal, *registration, *position, *umts, *lte;
    Py_ssize_t hopping_at;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOOnOOOUU", kwlist, &types[0], &types[1], &types[2],
                                     &types[3], &types[4], &types[5], &forms, &channel, &hopping_at, &signal,
                                     &registration, &position, &umts, &lte))
        return -1;
    Py_XSETREF(p->umts, Py_NewRef(umts));
    Py_XSETREF(p->lte, Py_NewRef(lte));
    for (int i = 0; i < 6; i++)
        if (!is_type(types[i]))
            return -1;
    PyTypeObject **slots_[6] = {&p->sample_t, &p->cell_t, &p->channel_t, &p->signal_t, &p->registration_t,
                                &p->position_t};
    for (int i = 0; i < 6; i++) {
        Py_XSETREF(*slots_[i], (PyTypeObject *)Py_NewRef(types[i]));
    }
    if (offset_of_str(p->sample_t, "serving", &p->s_serving) < 0 ||
        offset_of_str(p->sample_t, "signal", &p->s_signal) < 0 ||
        offset_of_str(p->sample_t, "registration", &p->s_registration) < 0 ||
        offset_of_str(p->sample_t, "position", &p->s_position) < 0 ||
        offset_of_str(p->sample_t, "neighbours", &p->s_neighbours) < 0 ||
        offset_of_str(p->sample_t, "ts_utc", &p->s_ts) < 0 || offset_of_str(p->sample_t, "tech", &p->s_tech) < 0 ||
        offset_of_str(p->sample_t, "mode", &p->s_mode) < 0 ||
        offset_of_str(p->cell_t, "role", &p->c_role) < 0 || offset_of_str(p->cell_t, "tech", &p->c_tech) < 0)
        return -1;
    struct { PyTypeObject *type; const char *name; Py_ssize_t *at; } sources[] = {
        {p->cell_t, "mcc", &p->c_mcc}, {p->cell_t, "mnc", &p->c_mnc}, {p->cell_t, "lac", &p->c_lac},
        {p->cell_t, "ci", &p->c_ci}, {p->cell_t, "arfcn", &p->c_arfcn}, {p->cell_t, "pci", &p->c_pci},
        {p->cell_t, "rxqual", &p->c_rxqual}, {p->cell_t, "rxlev_dbm", &p->c_rxlev_dbm},
        {p->cell_t, "rscp_dbm", &p->c_rscp_dbm}, {p->cell_t, "rsrp_dbm", &p->c_rsrp_dbm},
        {p->registration_t, "mcc", &p->r_mcc}, {p->registration_t, "mnc", &p->r_mnc},
        {p->registration_t, "lac", &p->r_lac}, {p->registration_t, "ci", &p->r_ci},
        {p->signal_t, "rssi_dbm", &p->g_rssi_dbm}, {p->signal_t, "rscp_dbm", &p->g_rscp_dbm},
        {p->signal_t, "rsrp_dbm", &p->g_rsrp_dbm}, {p->signal_t, "rxqual", &p->g_rxqual},
        {p->position_t, "lat", &p->p_lat}, {p->position_t, "lon", &p->p_lon},
    };
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
        if (offset_of_str(sources[i].type, sources[i].name, sources[i].at) < 0)
            return -1;
    if (make_part(p->channel_t, channel, &p->channel) < 0 || make_part(p->signal_t, signal, &p->signal) < 0 ||
        make_part(p->registration_t, registration, &p->registration) < 0 ||
        make_part(p->position_t, position, &p->position) < 0)
        return -1;
    if (hopping_at < 0 || hopping_at >= p->channel.n) {
        PyErr_SetString(PyExc_ValueError, "hopping_at out of range");
        return -1;
    }
    p->hopping_at = hopping_at;
    PyObject *seq = PySequence_Fast(forms, "forms must be a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t nforms = PySequence_Fast_GET_SIZE(seq);
    if (nforms < 1 || nforms > MAX_FORMS) {
        PyErr_SetString(PyExc_ValueError, "1 to 16 forms");
        Py_DECREF(seq);
        return -1;
    }
    for (Py_ssize_t k = 0; k < p->nforms; k++) {
        Py_CLEAR(p->forms[k].role);
        Py_CLEAR(p->forms[k].tech);
    }
    p->nforms = 0;
    for (Py_ssize_t k = 0; k < nforms; k++) {
        PyObject *role, *tech, *names, *cuts;
        Py_ssize_t channel_at;
        Form *f = &p->forms[k];
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, k), "OOOOn", &role, &tech, &names, &cuts, &channel_at) ||
            make_part(p->cell_t, names, &f->fields) < 0) {
            Py_DECREF(seq);
            return -1;
        }
        f->role = Py_NewRef(role);
        f->tech = Py_NewRef(tech);
        p->nforms = k + 1;
        PyObject *cseq = PySequence_Fast(cuts, "cuts must be a sequence");
        if (cseq == NULL || PySequence_Fast_GET_SIZE(cseq) > MAX_CUTS || channel_at < 0 ||
            channel_at >= f->fields.n) {
            if (cseq != NULL)
                PyErr_SetString(PyExc_ValueError, "bad cuts or channel place");
            Py_XDECREF(cseq);
            Py_DECREF(seq);
            return -1;
        }
        f->ncuts = PySequence_Fast_GET_SIZE(cseq);
        for (Py_ssize_t c = 0; c < f->ncuts; c++) {
            f->cuts[c] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(cseq, c));
            if (f->cuts[c] < 0 || f->cuts[c] > f->fields.n) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "cut out of range");
                Py_DECREF(cseq);
                Py_DECREF(seq);
                return -1;
            }
        }
        Py_DECREF(cseq);
        f->channel_at = channel_at;
        if (k > 0 && (!PyUnicode_CheckExact(role) || !PyUnicode_CheckExact(tech))) {
            PyErr_SetString(PyExc_TypeError, "forms after the first need a str role and tech");
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

static void Packer_dealloc(Packer *p) {
    Py_XDECREF(p->sample_t);
    Py_XDECREF(p->cell_t);
    Py_XDECREF(p->channel_t);
    Py_XDECREF(p->signal_t);
    Py_XDECREF(p->registration_t);
    Py_XDECREF(p->position_t);
    Py_XDECREF(p->umts);
    Py_XDECREF(p->lte);
    for (Py_ssize_t k = 0; k < p->nforms; k++) {
        Py_XDECREF(p->forms[k].role);
        Py_XDECREF(p->forms[k].tech);
    }
    PyMem_Free(p->buf);
    Py_TYPE(p)->tp_free((PyObject *)p);
}

static PyMethodDef Packer_methods[] = {
    {"record", (PyCFunction)Packer_record, METH_O,
     "record(sample) -> the sample's record_json text, or None: pack it in Python."},
    {"row", (PyCFunction)(void (*)(void))Packer_row, METH_FASTCALL,
     "row(session_id, layout_id, sample) -> the sample's samples row, or None: build it in Python."},
    {"sample", (PyCFunction)(void (*)(void))Packer_sample, METH_FASTCALL,
     "sample(text, ts_utc, tech, mode) -> the Sample a record_json text of this layout holds, or None: read it in "
     "Python."},
    {NULL}
};

static PyTypeObject PackerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fieldapp.store._rowpack.Packer",
    .tp_basicsize = sizeof(Packer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Packs Samples into record_json text (see fieldapp/store/rows.py).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Packer_init,
    .tp_dealloc = (destructor)Packer_dealloc,
    .tp_methods = Packer_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_rowpack", "Compiled record packing for the workspace store.", -1, NULL,
};

PyMODINIT_FUNC PyInit__rowpack(void) {
    if (PyType_Ready(&PackerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    /* The source this was built from (setup.py defines it): rows.py uses no stale build. */
#ifdef ROWPACK_SOURCE_SHA256
#define ROWPACK_STR_(x) #x
#define ROWPACK_STR(x) ROWPACK_STR_(x)
    if (PyModule_AddStringConstant(m, "SOURCE_SHA256", ROWPACK_STR(ROWPACK_SOURCE_SHA256)) < 0) {
#else
    if (PyModule_AddObject(m, "SOURCE_SHA256", Py_NewRef(Py_None)) < 0) {
#endif
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddObject(m, "Packer", Py_NewRef((PyObject *)&PackerType)) < 0) {
        Py_DECREF(&PackerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
