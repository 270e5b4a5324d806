/* The compiled reader of a Nemo file's two bulk line types (issue 15: the import of a day of
 * driving <= 15x the bare line read; these lines are ~85 % of the lines an import reads and
 * most of its parse).
 *
 *   CELLMEAS,16:01:58.567,,5,0,1,3,10588,-56.1,50001,3,17,0,50001,10588,303,-11.4,,-67.5,...
 *   CELLMEAS,16:03:34.254,,7,0,1,9,0,70001,125,400,-56.4,-84.4,-10.8,236680,111.0
 *   GPS,16:01:59.777,,101.267143,12.659351,10,0,1,9,0,1.90,1.10,1.60,1
 *
 * Reader.read(line) takes one wanted line (bytes, no line end) and returns its record, or
 * NotImplemented: the line is not one it reads, and logs/nemo.py reads it in Python as it
 * always has (or says why it is a bad line). It reads only the strict usual shape: ASCII, no
 * quote, no context ids, numbers written plainly ("-63.0", "10588", "" for unknown). A field
 * Python's int()/float() would read differently or refuse (" 5", "1e3", "nan", "5_0", a
 * number beyond 18 digits), counts that do not fit the line, GSM (system 1) and every other
 * record go back to Python. So for any line it gives exactly what the Python code gives
 * (tests/logs/test_nemo_compiled.py compares the two on real, damaged and generated lines).
 *
 * What it reads is the cells (logs/nemo_fields.py's _umts_cells and _lte_cells, the same
 * layouts, in place) and the GPS numbers (NemoReader._gps's usual path). What depends on the
 * reader's state (the time of day across midnight, the held CHI, the last fix) stays in Python:
 * read() calls ``on_cellmeas(time_text, system, serving, cells)`` or ``on_gps(time_text, lon,
 * lat, alt_m, fix, sats, kmh, hdop)`` and returns what it returns; an exception there (a bad
 * time) goes to the caller as it would from the Python path, which reads the time first too.
 *
 * Cells are built as object.__new__(Cell) + Cell.__init__ builds them: every slot of the
 * class (their offsets taken once from its member descriptors) set, unknowns None.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <string.h>

#define MAX_LINE_FIELDS 2048 /* a longer line goes to Python */
#define CELL_SLOTS 26        /* logs/fast_records.py CELL_FIELDS */
#define NOT_MINE 1           /* a converter's "leave this line to Python" */

typedef struct {
    const char *s;
    Py_ssize_t n;
} Field;

/* The cell fields a system's cells are read from: index in the cell's group -> Cell slot. */
typedef struct {
    Py_ssize_t type_at, arfcn_at, pci_at;
    Py_ssize_t nfloats;
    Py_ssize_t float_at[3];   /* the measured values, in the order Python converts them */
    Py_ssize_t float_slot[3]; /* their slots */
} Layout;

typedef struct {
    PyObject_HEAD
    PyTypeObject *cell_t;
    Py_ssize_t slots[CELL_SLOTS]; /* every slot of Cell */
    Py_ssize_t c_role, c_tech, c_arfcn, c_pci, c_state;
    PyObject *serving, *neighbour, *umts, *lte; /* role and technology names (model) */
    PyObject *umts_kind, *lte_kind;             /* cell type -> (role, state) */
    PyObject *on_cellmeas, *on_gps;
    Layout umts_layout, lte_layout;
} Reader;

/* ------------------------------------------------------------------ numbers */

/* A count as logs/nemo_fields.py's _count reads it: "" -> 0, decimal digits -> their value;
 * anything else (a sign, blanks, more than 9 digits) is not mine. */
static int count_of(Field f, long long *out) {
    if (f.n > 9)
        return NOT_MINE;
    long long v = 0;
    for (Py_ssize_t i = 0; i < f.n; i++) {
        unsigned char c = (unsigned char)f.s[i];
        if (c < '0' || c > '9')
            return NOT_MINE;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

/* "-?[0-9]{1,18}" -> its value, what int() gives. */
static int int_of(Field f, long long *out) {
    Py_ssize_t i = 0;
    int neg = f.n > 0 && f.s[0] == '-';
    i = neg;
    if (f.n - i < 1 || f.n - i > 18)
        return NOT_MINE;
    long long v = 0;
    for (; i < f.n; i++) {
        unsigned char c = (unsigned char)f.s[i];
        if (c < '0' || c > '9')
            return NOT_MINE;
        v = v * 10 + (c - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

/* A new reference: None for "", the int for "-?[0-9]{1,18}"; NULL with no error set: not mine. */
static PyObject *int_or_none(Field f) {
    if (f.n == 0)
        return Py_NewRef(Py_None);
    long long v;
    if (int_of(f, &v))
        return NULL;
    return PyLong_FromLongLong(v);
}

static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* "-?[0-9]*(.[0-9]*)?" with at least one digit -> the double float() reads from it; 1 when the
 * text is not of that shape (not mine), -1 with an error set. Up to 15 digits the value is
 * digits / 10^decimals, both exact doubles: one correctly rounded division gives the double
 * nearest the decimal, which is what float() gives. Longer texts go through CPython's own
 * reader (PyOS_string_to_double, float()'s). */
static int float_of(Field f, double *out) {
    Py_ssize_t i = 0;
    int neg = f.n > 0 && f.s[0] == '-';
    i = neg;
    unsigned long long digits = 0;
    int ndigits = 0, decimals = 0, point = 0;
    for (; i < f.n; i++) {
        unsigned char c = (unsigned char)f.s[i];
        if (c == '.' && !point) {
            point = 1;
            continue;
        }
        if (c < '0' || c > '9')
            return NOT_MINE;
        if (ndigits || c != '0')
            ndigits++;
        if (ndigits <= 19)
            digits = digits * 10 + (c - '0');
        decimals += point;
    }
    if (f.n - neg - point < 1)
        return NOT_MINE;  /* "", "-", ".", "-." */
    if (ndigits <= 15 && decimals <= 22) {
        double v = (double)digits / POW10[decimals];
        *out = neg ? -v : v;
        return 0;
    }
    if (f.n > 64)
        return NOT_MINE;
    char buf[72];
    memcpy(buf, f.s, f.n);
    buf[f.n] = '\0';
    char *end;
    double v = PyOS_string_to_double(buf, &end, NULL);
    if (v == -1.0 && PyErr_Occurred())
        return -1;
    if (end != buf + f.n)
        return NOT_MINE;
    *out = v;
    return 0;
}

/* A new reference: None for "", the float; NULL with no error: not mine; NULL with an error. */
static PyObject *float_or_none(Field f) {
    if (f.n == 0)
        return Py_NewRef(Py_None);
    double v;
    int r = float_of(f, &v);
    if (r)
        return NULL;
    return PyFloat_FromDouble(v);
}

/* ------------------------------------------------------------------ lines */

/* Splits ``line`` at its commas into ``fields`` (at most MAX_LINE_FIELDS); -1 when the line is
 * not of the shape read here: a byte beyond ASCII (Python decodes the whole line as UTF-8), a
 * quote (Python's csv reads it), or too many fields. */
static Py_ssize_t split(const char *s, Py_ssize_t n, Field *fields) {
    Py_ssize_t k = 0, start = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c == '"')
            return -1;
        if (c == ',') {
            if (k >= MAX_LINE_FIELDS - 1)
                return -1;
            fields[k].s = s + start;
            fields[k++].n = i - start;
            start = i + 1;
        }
    }
    fields[k].s = s + start;
    fields[k++].n = n - start;
    return k;
}

/* Field ``at`` of cell ``i`` of a group of ``n_params`` fields a cell from ``first``, as
 * nemo_fields._group gives it: a field beyond the cell's count or the line's end is "". */
static Field cell_field(const Field *f, Py_ssize_t nf, Py_ssize_t first, Py_ssize_t i, Py_ssize_t n_params,
                        Py_ssize_t at) {
    Field blank = {"", 0};
    Py_ssize_t k = first + i * n_params + at;
    return at < n_params && k < nf ? f[k] : blank;
}

/* The Cell of one cell group entry, or NULL (no error: not mine). Its fields are converted in
 * the order the Python reader converts them (it names the first bad one). */
static PyObject *make_cell(Reader *r, const Layout *lay, PyObject *tech, PyObject *kind, const Field *f,
                           Py_ssize_t nf, Py_ssize_t first, Py_ssize_t i, Py_ssize_t n_params, int *is_serving) {
    PyObject *ctype = int_or_none(cell_field(f, nf, first, i, n_params, lay->type_at));
    if (ctype == NULL)
        return NULL;
    PyObject *arfcn = int_or_none(cell_field(f, nf, first, i, n_params, lay->arfcn_at));
    PyObject *pci = arfcn ? int_or_none(cell_field(f, nf, first, i, n_params, lay->pci_at)) : NULL;
    PyObject *values[3] = {NULL, NULL, NULL};
    int ok = pci != NULL;
    for (Py_ssize_t v = 0; ok && v < lay->nfloats; v++) {
        values[v] = float_or_none(cell_field(f, nf, first, i, n_params, lay->float_at[v]));
        ok = values[v] != NULL;
    }
    PyObject *role = NULL, *state = NULL, *cell = NULL;
    if (ok) {
        /* _UMTS_KIND.get(ctype) or (NEIGHBOUR, str(ctype)) */
        PyObject *known = PyDict_GetItemWithError(kind, ctype);
        if (known != NULL && PyTuple_CheckExact(known) && PyTuple_GET_SIZE(known) == 2) {
            role = Py_NewRef(PyTuple_GET_ITEM(known, 0));
            state = Py_NewRef(PyTuple_GET_ITEM(known, 1));
        } else if (!PyErr_Occurred()) {
            role = Py_NewRef(r->neighbour);
            state = PyObject_Str(ctype);
        }
        /* (at most 18 digits: a long long, also where a long is 32 bits, as on Windows) */
        *is_serving = PyLong_CheckExact(ctype) && PyLong_AsLongLong(ctype) == 0;
    }
    if (state != NULL)
        cell = r->cell_t->tp_alloc(r->cell_t, 0);
    if (cell == NULL) {
        Py_DECREF(ctype);
        Py_XDECREF(arfcn);
        Py_XDECREF(pci);
        for (Py_ssize_t v = 0; v < 3; v++)
            Py_XDECREF(values[v]);
        Py_XDECREF(role);
        Py_XDECREF(state);
        return NULL;
    }
    Py_DECREF(ctype);
    for (Py_ssize_t s = 0; s < CELL_SLOTS; s++)
        *(PyObject **)((char *)cell + r->slots[s]) = Py_NewRef(Py_None);
#define SET(offset, value) do { PyObject **at_ = (PyObject **)((char *)cell + (offset)); Py_DECREF(*at_); *at_ = (value); } while (0)
    SET(r->c_role, role);
    SET(r->c_tech, Py_NewRef(tech));
    SET(r->c_arfcn, arfcn);
    SET(r->c_pci, pci);
    for (Py_ssize_t v = 0; v < lay->nfloats; v++)
        SET(lay->float_slot[v], values[v]);
    SET(r->c_state, state);
#undef SET
    return cell;
}

/* The cells of the group whose counts are at f[start], f[start + 1] (nemo_fields._group):
 * (serving or None, tuple of the others), or NULL: not mine (no error) or an error. */
static PyObject *read_group(Reader *r, const Layout *lay, PyObject *tech, PyObject *kind, const Field *f,
                            Py_ssize_t nf, Py_ssize_t start) {
    long long n_cells, n_params;
    if (start + 1 >= nf || f[start].n == 0 || f[start + 1].n == 0 || count_of(f[start], &n_cells) ||
        count_of(f[start + 1], &n_params) || n_params <= 0)
        return NULL;
    Py_ssize_t first = start + 2;
    if (first + n_cells * n_params > nf + 1)  /* Python: "cell group shorter than its count" */
        return NULL;
    PyObject *serving = NULL;
    PyObject *cells = PyTuple_New((Py_ssize_t)n_cells);
    if (cells == NULL)
        return NULL;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n_cells; i++) {
        int is_serving = 0;
        PyObject *cell = make_cell(r, lay, tech, kind, f, nf, first, i, (Py_ssize_t)n_params, &is_serving);
        if (cell == NULL) {
            Py_XDECREF(serving);
            Py_DECREF(cells);
            return NULL;
        }
        if (is_serving && serving == NULL)
            serving = cell;
        else
            PyTuple_SET_ITEM(cells, k++, cell);
    }
    if (k < n_cells && _PyTuple_Resize(&cells, k) < 0) {
        Py_XDECREF(serving);
        return NULL;
    }
    return Py_BuildValue("(NN)", serving ? serving : Py_NewRef(Py_None), cells);
}

/* CELLMEAS,<time>,,<system>,... of systems 5 (UMTS) and 7/8 (LTE). */
static PyObject *read_cellmeas(Reader *r, const Field *f, Py_ssize_t nf) {
    long long system, h, channels, per_channel;
    if (nf < 6 || f[2].n != 0 || int_of(f[3], &system))
        return NULL;
    const Layout *lay;
    PyObject *tech, *kind;
    Py_ssize_t start;
    /* params = f[3:]: i = 2 + count(params[1]) */
    /* (counts are compared with the line's length in long long before they become indices: a
     * Py_ssize_t is 32 bits on a 32-bit build) */
    if (count_of(f[4], &h) || 3 + 2 + h >= nf)
        return NULL;
    Py_ssize_t i = 3 + 2 + (Py_ssize_t)h;
    if (system == 5) {
        /* the channel group before the cells: #channels, #params per channel, channels */
        if (i + 1 >= nf || count_of(f[i], &channels) || count_of(f[i + 1], &per_channel) ||
            i + 2 + channels * per_channel >= nf)
            return NULL;
        start = i + 2 + (Py_ssize_t)(channels * per_channel);
        lay = &r->umts_layout;
        tech = r->umts;
        kind = r->umts_kind;
    } else if (system == 7 || system == 8) {
        start = i;
        lay = &r->lte_layout;
        tech = r->lte;
        kind = r->lte_kind;
    } else {
        return NULL;
    }
    PyObject *cells = read_group(r, lay, tech, kind, f, nf, start);
    if (cells == NULL)
        return NULL;
    PyObject *text = PyUnicode_DecodeASCII(f[1].s, f[1].n, NULL);
    PyObject *sys_obj = text ? PyLong_FromLongLong(system) : NULL;
    PyObject *out = NULL;
    if (sys_obj != NULL) {
        PyObject *args[4] = {text, sys_obj, PyTuple_GET_ITEM(cells, 0), PyTuple_GET_ITEM(cells, 1)};
        out = PyObject_Vectorcall(r->on_cellmeas, args, 4, NULL);
    }
    Py_XDECREF(text);
    Py_XDECREF(sys_obj);
    Py_DECREF(cells);
    return out;
}

/* GPS,<time>,,<lon>,<lat>,<height m>,<distance m>,<fix>,<satellites>,<km/h>,<PDOP>,<HDOP>,...
 * with every one of those numbers there, a fix and the position in range (NemoReader._gps's
 * usual path; anything else is its general path's). */
static PyObject *read_gps(Reader *r, const Field *f, Py_ssize_t nf) {
    double lon, lat, alt, kmh, hdop;
    long long fix, sats;
    if (nf < 12 || f[2].n != 0)
        return NULL;
    if (f[3].n == 0 || f[4].n == 0 || f[5].n == 0 || f[9].n == 0 || f[11].n == 0)
        return NULL;
    int e = float_of(f[3], &lon);
    if (!e) e = float_of(f[4], &lat);
    if (!e) e = int_of(f[7], &fix);
    if (!e) e = float_of(f[9], &kmh);
    if (!e) e = float_of(f[5], &alt);
    if (!e) e = float_of(f[11], &hdop);
    if (!e) e = int_of(f[8], &sats);
    if (e)
        return NULL;
    if (fix == 0 || !(-90 <= lat && lat <= 90 && -180 <= lon && lon <= 180))
        return NULL;
    PyObject *args[8] = {
        PyUnicode_DecodeASCII(f[1].s, f[1].n, NULL), PyFloat_FromDouble(lon), PyFloat_FromDouble(lat),
        PyFloat_FromDouble(alt), PyLong_FromLongLong(fix), PyLong_FromLongLong(sats), PyFloat_FromDouble(kmh),
        PyFloat_FromDouble(hdop)};
    PyObject *out = NULL;
    int made = 1;
    for (int k = 0; k < 8; k++)
        made &= args[k] != NULL;
    if (made)
        out = PyObject_Vectorcall(r->on_gps, args, 8, NULL);
    for (int k = 0; k < 8; k++)
        Py_XDECREF(args[k]);
    return out;
}

static PyObject *Reader_read(Reader *r, PyObject *line) {
    if (!PyBytes_CheckExact(line))
        Py_RETURN_NOTIMPLEMENTED;
    const char *s = PyBytes_AS_STRING(line);
    Py_ssize_t n = PyBytes_GET_SIZE(line);
    int cellmeas = n > 9 && memcmp(s, "CELLMEAS,", 9) == 0;
    if (!cellmeas && !(n > 4 && memcmp(s, "GPS,", 4) == 0))
        Py_RETURN_NOTIMPLEMENTED;
    Field fields[MAX_LINE_FIELDS];
    Py_ssize_t nf = split(s, n, fields);
    if (nf < 0)
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *out = cellmeas ? read_cellmeas(r, fields, nf) : read_gps(r, fields, nf);
    if (out == NULL && !PyErr_Occurred())
        Py_RETURN_NOTIMPLEMENTED;
    return out;
}

/* ------------------------------------------------------------------ set-up */

static int offset_of(PyTypeObject *type, PyObject *name, Py_ssize_t *out) {
    PyObject *d = PyObject_GetAttr((PyObject *)type, name);
    if (d == NULL)
        return -1;
    int ok = Py_IS_TYPE(d, &PyMemberDescr_Type) &&
             (((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX ||
              ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT);
    if (ok)
        *out = ((PyMemberDescrObject *)d)->d_member->offset;
    else
        PyErr_Format(PyExc_TypeError, "%s.%U is not an object slot", type->tp_name, name);
    Py_DECREF(d);
    return ok ? 0 : -1;
}

/* The slot of the cell field named ``name`` among ``names`` (its index in r->slots). */
static int slot_named(Reader *r, PyObject *names, const char *name, Py_ssize_t *out) {
    for (Py_ssize_t k = 0; k < CELL_SLOTS; k++) {
        PyObject *item = PyTuple_GET_ITEM(names, k);
        if (PyUnicode_Check(item) && PyUnicode_CompareWithASCIIString(item, name) == 0) {
            *out = r->slots[k];
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError, "no cell field %s", name);
    return -1;
}

static int Reader_init(Reader *r, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"cell", "fields", "serving", "neighbour", "umts", "lte", "umts_kind", "lte_kind",
                             "on_cellmeas", "on_gps", NULL};
    PyObject *cell_t, *names, *serving, *neighbour, *umts, *lte, *umts_kind, *lte_kind, *on_cellmeas, *on_gps;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!UUUUO!O!OO", kwlist, &PyType_Type, &cell_t, &PyTuple_Type,
                                     &names, &serving, &neighbour, &umts, &lte, &PyDict_Type, &umts_kind,
                                     &PyDict_Type, &lte_kind, &on_cellmeas, &on_gps))
        return -1;
    if (PyTuple_GET_SIZE(names) != CELL_SLOTS) {
        PyErr_Format(PyExc_ValueError, "Cell has %d fields here", CELL_SLOTS);
        return -1;
    }
    if (!PyCallable_Check(on_cellmeas) || !PyCallable_Check(on_gps)) {
        PyErr_SetString(PyExc_TypeError, "on_cellmeas and on_gps must be callable");
        return -1;
    }
    /* (r->cell_t is set last, with its own reference: a failed set-up leaves none behind) */
    for (Py_ssize_t k = 0; k < CELL_SLOTS; k++)
        if (offset_of((PyTypeObject *)cell_t, PyTuple_GET_ITEM(names, k), &r->slots[k]) < 0)
            return -1;
    Py_ssize_t rscp, ecno, rsrp, rsrq, sinr;
    if (slot_named(r, names, "role", &r->c_role) < 0 || slot_named(r, names, "tech", &r->c_tech) < 0 ||
        slot_named(r, names, "arfcn", &r->c_arfcn) < 0 || slot_named(r, names, "pci", &r->c_pci) < 0 ||
        slot_named(r, names, "state", &r->c_state) < 0 || slot_named(r, names, "rscp_dbm", &rscp) < 0 ||
        slot_named(r, names, "ecno_db", &ecno) < 0 || slot_named(r, names, "rsrp_dbm", &rsrp) < 0 ||
        slot_named(r, names, "rsrq_db", &rsrq) < 0 || slot_named(r, names, "sinr_db", &sinr) < 0)
        return -1;
    /* nemo_fields._umts_group: type 0, UARFCN 2, PSC 3, Ec/No 4, RSCP 6 (cells padded to 7) */
    r->umts_layout = (Layout){0, 2, 3, 2, {4, 6, 0}, {ecno, rscp, 0}};
    /* nemo_fields._lte_cells: type 0, EARFCN 2, PCI 3, RSRP 5, RSRQ 6, SINR 10 (padded to 11) */
    r->lte_layout = (Layout){0, 2, 3, 3, {5, 6, 10}, {rsrp, rsrq, sinr}};
    Py_XSETREF(r->cell_t, (PyTypeObject *)Py_NewRef(cell_t));
    Py_XSETREF(r->serving, Py_NewRef(serving));
    Py_XSETREF(r->neighbour, Py_NewRef(neighbour));
    Py_XSETREF(r->umts, Py_NewRef(umts));
    Py_XSETREF(r->lte, Py_NewRef(lte));
    Py_XSETREF(r->umts_kind, Py_NewRef(umts_kind));
    Py_XSETREF(r->lte_kind, Py_NewRef(lte_kind));
    Py_XSETREF(r->on_cellmeas, Py_NewRef(on_cellmeas));
    Py_XSETREF(r->on_gps, Py_NewRef(on_gps));
    return 0;
}

/* The callbacks are the NemoReader's bound methods: the collector must see them. */
static int Reader_traverse(Reader *r, visitproc visit, void *arg) {
    Py_VISIT(r->cell_t);
    Py_VISIT(r->serving);
    Py_VISIT(r->neighbour);
    Py_VISIT(r->umts);
    Py_VISIT(r->lte);
    Py_VISIT(r->umts_kind);
    Py_VISIT(r->lte_kind);
    Py_VISIT(r->on_cellmeas);
    Py_VISIT(r->on_gps);
    return 0;
}

static int Reader_clear(Reader *r) {
    Py_CLEAR(r->cell_t);
    Py_CLEAR(r->serving);
    Py_CLEAR(r->neighbour);
    Py_CLEAR(r->umts);
    Py_CLEAR(r->lte);
    Py_CLEAR(r->umts_kind);
    Py_CLEAR(r->lte_kind);
    Py_CLEAR(r->on_cellmeas);
    Py_CLEAR(r->on_gps);
    return 0;
}

static void Reader_dealloc(Reader *r) {
    PyObject_GC_UnTrack(r);
    Reader_clear(r);
    Py_TYPE(r)->tp_free((PyObject *)r);
}

static PyObject *Reader_call_read(Reader *r, PyObject *line) {
    if (r->cell_t == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Reader not initialised");
        return NULL;
    }
    return Reader_read(r, line);
}

static PyMethodDef Reader_methods[] = {
    {"read", (PyCFunction)Reader_call_read, METH_O,
     "read(line) -> the record of a usual CELLMEAS (UMTS/LTE) or GPS line (bytes, no line end), made by "
     "on_cellmeas / on_gps; NotImplemented: read the line in Python."},
    {NULL}
};

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "logs._nemoline.Reader",
    .tp_basicsize = sizeof(Reader),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Reads the usual Nemo CELLMEAS and GPS lines (see logs/nemo.py).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Reader_init,
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_traverse = (traverseproc)Reader_traverse,
    .tp_clear = (inquiry)Reader_clear,
    .tp_methods = Reader_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_nemoline", "Compiled reader of the bulk Nemo line types.", -1, NULL,
};

PyMODINIT_FUNC PyInit__nemoline(void) {
    if (PyType_Ready(&ReaderType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    /* The source this was built from (setup.py defines it): logs/nemo_fast.py uses no stale build. */
#ifdef NEMOLINE_SOURCE_SHA256
#define NEMOLINE_STR_(x) #x
#define NEMOLINE_STR(x) NEMOLINE_STR_(x)
    if (PyModule_AddStringConstant(m, "SOURCE_SHA256", NEMOLINE_STR(NEMOLINE_SOURCE_SHA256)) < 0) {
#else
    if (PyModule_AddObject(m, "SOURCE_SHA256", Py_NewRef(Py_None)) < 0) {
#endif
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddObject(m, "Reader", Py_NewRef((PyObject *)&ReaderType)) < 0) {
        Py_DECREF(&ReaderType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
