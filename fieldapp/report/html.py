"""The case report as HTML, for the ticket: facts, timeline, plots of level and quality, the
route map, the CQT matrix and verdict, findings, cause, action, before/after, callback.

The markup keeps to what Qt's rich text (QTextDocument, used for the PDF) renders: tables,
headings, inline styles, ``<img>`` by name. Every text that comes from the case or its
evidence goes through the Masker first, then through ``escape``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import PureWindowsPath

from fieldapp.cases.cqt_evidence import CqtEvidence
from fieldapp.cases.findings import SessionData
from fieldapp.cases.model import FIELDS, Case
from fieldapp.cases.stats import percentile
from fieldapp.cases.workflow import STATUS_LABELS
from fieldapp.cqt.calls import LISTENER_TEXT, NO_AUDIO, NORMAL, ONE_WAY_DL, ONE_WAY_UL
from fieldapp.export_csv import iso_utc
from fieldapp.model import DEDICATED, EV_INFO
from fieldapp.report.data import ReportData
from fieldapp.report.mask import Masker, position_text
from fieldapp.report.stats_html import statistics_section

_GROUPS = (("subscriber", "Subscriber"), ("complaint", "Complaint"), ("place", "Place"), ("when", "When and how often"),
           ("handset", "Handset"), ("handling", "Handling"))
_CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #202020; }
h1 { font-size: 17pt; margin-bottom: 2px; }
h2 { font-size: 13pt; color: #1d3c5a; margin-top: 16px; margin-bottom: 4px; }
h3 { font-size: 11pt; margin-top: 10px; margin-bottom: 2px; }
table.grid { border-collapse: collapse; }
table.grid td, table.grid th { border: 1px solid #b0b0b0; padding: 3px 6px; vertical-align: top; }
th { background-color: #e8eef4; text-align: left; }
td.k { color: #505050; width: 32%; }
.muted { color: #707070; }
.high { color: #b0151a; font-weight: bold; }
.medium { color: #a06000; font-weight: bold; }
.info { color: #1d3c5a; font-weight: bold; }
.next { background-color: #f3f7ea; }
"""


# An absolute file path (POSIX or Windows) in a text: the report shows only the file's name, never
# where the workspace or an imported log lives on the engineer's laptop.
_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:\\|~?/)(?:[^\s/\\:,;()]+[/\\])+([^\s/\\:,;()]+)")


def strip_paths(text: str) -> str:
    """"import:/home/mh/drives/a.nmf" → "import:a.nmf"; "C:\\logs\\b.nmf" → "b.nmf"."""
    return _PATH.sub(lambda m: m.group(1), text)


def median_dbm(values: list[float]) -> str:
    """The one way every median level of the report is computed and written (as the findings)."""
    med = percentile(values, 50)
    return "—" if med is None else f"{med:.0f} dBm"


def _t(ts: float | None) -> str:
    return (iso_utc(ts, "seconds") or "").replace("T", " ").replace("Z", " UTC")


def _fmt_value(value: object) -> str:
    if value is None or value == "" or value == ():
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def _facts(case: Case, m: Masker) -> str:
    """One table, a header row per group and two facts per row; facts not recorded are listed
    once at the end instead of as empty rows."""
    rows, missing = [], []
    for group, title in _GROUPS:
        known = []
        for spec in FIELDS:
            if spec.group != group or spec.name == "title":
                continue
            value = getattr(case, spec.name)
            if value in (None, "", ()):
                missing.append(spec.label.lower())
                continue
            known.append((spec.label, _fmt_value(m.field(spec.name, value))))
        if not known:
            continue
        rows.append(f"<tr><th colspan='4'>{title}</th></tr>")
        for i in range(0, len(known), 2):
            pair = known[i:i + 2] + [("", "")] * (2 - len(known[i:i + 2]))
            rows.append("<tr>" + "".join(f"<td class='k' width='17%'>{escape(k)}</td><td width='33%'>{escape(v)}</td>"
                                         for k, v in pair) + "</tr>")
    out = f"<table class='grid' width='100%' cellspacing='0'>{''.join(rows)}</table>"
    if missing:
        out += f"<p class='muted'>Not recorded: {escape(', '.join(missing))}.</p>"
    return out


def _table(head: list[str], rows: list[list[str]], widths: list[int] | None = None) -> str:
    ths = "".join(f"<th{'' if not widths else f' width={widths[i]}%'}>{escape(h)}</th>" for i, h in enumerate(head))
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='grid' width='100%' cellspacing='0'><tr>{ths}</tr>{trs}</table>"


def build_html(data: ReportData, masker: Masker, image_src: Callable[[str], str], images: list[str]) -> str:
    """The whole report. ``images`` are the picture names rendered for it (see report.render),
    ``image_src(name)`` what an ``<img src>`` must say to show one."""
    case, m = data.case, masker
    e = lambda text: escape(strip_paths(m.text(str(text))))  # noqa: E731 - local shorthand: mask then escape
    parts = [f"<html><head><meta charset='utf-8'><title>Case {case.id}</title><style>{_CSS}</style></head><body>"]
    parts.append(f"<h1>Complaint case #{case.id}: {e(case.display_title())}</h1>")
    parts.append(
        f"<p class='muted'>Status <b>{escape(STATUS_LABELS.get(case.status, case.status))}</b> · priority "
        f"{escape(case.priority)} · due {escape(case.due_date or '—')} · engineer {e(case.engineer or '—')} · "
        f"category <b>{escape(case.category or '—')}</b><br>Created {_t(case.created_utc)} · report generated "
        f"{_t(data.generated_utc)} · "
        + ("<b>includes personal data</b>" if m.include_personal else "subscriber identity masked") + "</p>")
    # Summary first: what a reader of the ticket wants.
    parts.append("<h2>Summary</h2>")
    summary_rows = [["Complaint", e(case.description or "—")],
                    ["Place", e(m.text(case.place or "—") if not m.private_spot or m.include_personal
                                else "private spot (masked)")
                     + (f" · {position_text(case.latitude, case.longitude, not m.include_personal)}"
                        if case.latitude is not None and case.longitude is not None else "")],
                    ["Findings", "<br>".join(e(f.title) for f in data.findings) or "none yet"],
                    ["Root cause", e(case.cause or "—")],
                    ["Action", e(" — ".join(x for x in (case.action, case.action_text) if x) or "—")],
                    ["Before/after", e(data.comparison.verdict()) if data.comparison else "no before/after test yet"],
                    ["Callback", e(case.callback_result or "—")]]
    parts.append("<table class='grid' width='100%' cellspacing='0'>" + "".join(
        f"<tr><td class='k'>{k}</td><td>{v}</td></tr>" for k, v in summary_rows) + "</table>")
    parts.append("<h2>Intake facts</h2>" + _facts(case, m))
    # Findings
    parts.append("<h2>Findings</h2>")
    if not data.findings:
        parts.append("<p class='muted'>No rule fired on the evidence so far (attach sessions or CQT runs of the spot).</p>")
    for f in data.findings:
        cites = "".join(f"<li>{e(c.line())}</li>" for c in f.cites)
        parts.append(
            f"<h3><span class='{f.severity}'>●</span> {e(f.title)}</h3><p>{e(f.summary)}</p>"
            + (f"<p class='muted'>Evidence:</p><ul>{cites}</ul>" if cites else "")
            + f"<table width='100%' cellspacing='0'><tr><td class='next'><b>Next step:</b> {e(f.next_step)}</td></tr></table>")
    # Measurements
    if data.sessions:
        parts.append("<h2>Measurements</h2>")
        rows = []
        for s in data.sessions:
            info = data.session_info.get(s.session_id)
            levels = [x.rxlev_dbm for x in s.samples if x.rxlev_dbm is not None]
            calls = s.calls
            device = (info.device or {}) if info else {}
            what = e(s.source) + (f"<br><span class='muted'>{e(' '.join(str(device[k]) for k in ('family', 'model') if device.get(k)))}</span>"
                                  if device.get("family") or device.get("model") else "")
            rows.append([str(s.session_id), escape(s.role or "—"), what,
                         _t(info.start_utc if info else None), str(len(s.samples)), median_dbm(levels),
                         e(session_calls_text(s, data.cqt)) if calls else "—",
                         f"v{s.plan_version}" if s.plan_version is not None else "—"])
        parts.append(_table(["Session", "Role", "Source", "Start", "Samples", "Median level", "Calls", "Cell plan"],
                            rows))
        for name in images:
            if name.startswith("level-"):
                parts.append(f"<p><img src='{image_src(name)}' width='640'></p>")
    if "map.png" in images:
        # After the plots the map starts a page, so that its heading does not stay behind alone.
        brk = " style='page-break-before: always'" if any(n.startswith("level-") for n in images) else ""
        parts.append(f"<h2{brk}>Route map</h2><p><img src='{image_src('map.png')}' width='640'></p>")
    # CQT
    for run in data.cqt:
        parts.append(f"<h2>CQT per TRX: run {run.run_id if run.run_id is not None else ''} on {e(run.cell)}</h2>")
        if run.mode:
            parts.append(f"<p class='muted'>Mode: {e(run.mode)} · state {e(run.state or '?')}</p>")
        parts.append(_cqt_table(run, data.sessions))
        verdict = run.verdict or {}
        parts.append(f"<p><b>Verdict:</b> {e(verdict.get('text', '—'))}</p>")
        if verdict.get("support"):
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in verdict["support"]) + "</ul>")
        if verdict.get("rule"):
            parts.append(f"<p class='muted'>Rule: {e(verdict['rule'])}</p>")
    # Network statistics and alarms (issue 14)
    parts.append(statistics_section(data.stats, e, image_src, images))
    # Root cause and action
    parts.append("<h2>Root cause and action</h2>")
    parts.append(_table(["Root cause", "Action", "Details"], [[e(case.cause or "—"), e(case.action or "—"),
                                                               e(case.action_text or "—")]], [40, 20, 40]))
    # Before / after
    parts.append("<h2>Before / after</h2>")
    if data.comparison is None:
        parts.append("<p class='muted'>Mark a session of the spot as \"before\" and the re-test after the fix as "
                     "\"after\" to compare them here.</p>")
    else:
        b, a = data.comparison.before, data.comparison.after
        def pct(x: float | None) -> str:
            return "—" if x is None else f"{x:.0%}"
        def dbm(x: float | None) -> str:
            return "—" if x is None else f"{x:.0f} dBm"
        rows = [["Sessions", ", ".join(map(str, b.sessions)), ", ".join(map(str, a.sessions))],
                ["Samples", str(b.samples), str(a.samples)],
                ["Level 10th / 50th / 90th percentile", f"{dbm(b.level_p10)} / {dbm(b.level_p50)} / {dbm(b.level_p90)}",
                 f"{dbm(a.level_p10)} / {dbm(a.level_p50)} / {dbm(a.level_p90)}"]]
        for (label, nb), (_l, na) in zip(b.level_bins, a.level_bins):
            rows.append([f"Level {label}", f"{nb} ({pct(nb / b.samples if b.samples else None)})",
                         f"{na} ({pct(na / a.samples if a.samples else None)})"])
        for (label, nb), (_l, na) in zip(b.quality_classes, a.quality_classes):
            rows.append([f"RXQUAL {label}", f"{nb}", f"{na}"])
        rows.append(["Calls: attempts / connected / failed / dropped",
                     f"{b.attempts} / {b.connected} / {b.failed} / {b.dropped}",
                     f"{a.attempts} / {a.connected} / {a.failed} / {a.dropped}"])
        rows.append(["Call success", pct(b.call_success), pct(a.call_success)])
        parts.append(_table(["", "Before", "After"], [[escape(r[0]), escape(r[1]), escape(r[2])] for r in rows],
                            [40, 30, 30]))
        parts.append(f"<p><b>{e(data.comparison.verdict())}</b></p>")
        if "before-after.png" in images:
            parts.append(f"<p><img src='{image_src('before-after.png')}' width='640'></p>")
    # Callback
    parts.append("<h2>Callback</h2>")
    parts.append(f"<p>{e(case.callback_result or 'The subscriber has not been called back yet.')}</p>")
    # Timeline
    parts.append("<h2>Timeline</h2>")
    parts.append(_table(["Time", "Who", "What"], [[_t(h.ts_utc), e(h.author), e(h.text)] for h in data.history],
                        [24, 14, 62]))
    # Evidence
    parts.append("<h2>Evidence</h2>")
    if data.evidence:
        parts.append(_table(["Added", "Kind", "Role", "What", "sha256"],
                            [[_t(i.added_utc), escape(i.kind), escape(i.role or "—"), e(i.label),
                              f"<span class='muted'>{escape((i.sha256 or '')[:16])}</span>"] for i in data.evidence]))
    else:
        parts.append("<p class='muted'>No evidence attached.</p>")
    workspace = PureWindowsPath(data.workspace).name if data.workspace else ""  # the name only, never the path
    parts.append("<p class='muted'>fieldapp case report"
                 + (f" · workspace {e(workspace)}" if workspace else "") + "</p></body></html>")
    return "".join(parts)


def session_calls_text(session: SessionData, runs: list[CqtEvidence]) -> str:
    """A session's calls as the network ended them and, apart, as the listener heard them: a
    normal release with one-way audio is not an "ok" call (trial P10: "Calls 14/14 ok" for a
    session whose calls were 8 of 14 one-way). "14 calls: 14 released normally; heard: 6 normal,
    8 one-way uplink". The listener's verdicts are the CQT runs' (marks may come after the call),
    else those the runner wrote into the session's events."""
    calls = [c for c in session.calls if c.outcome != "open"]
    outcomes = {"released": "released normally", "failed": "setup failed", "dropped": "dropped"}
    counts = {k: sum(1 for c in calls if c.outcome == k) for k in outcomes}
    parts = [f"{n} {outcomes[k]}" for k, n in counts.items() if n]
    text = f"{len(calls)} call(s): " + (", ".join(parts) or "none ended")
    marks = {(r.run_id, c.seq): c.listener for r in runs for c in r.calls}
    heard: dict[str, int] = {}
    for ev in session.events:
        d = ev.data or {}
        if ev.kind != EV_INFO or "cqt_run" not in d or "seq" not in d:
            continue
        verdict = marks.get((d["cqt_run"], d["seq"]), d.get("listener"))
        if verdict:
            heard[verdict] = heard.get(verdict, 0) + 1
    if heard:
        names = {ONE_WAY_UL: "one-way uplink", ONE_WAY_DL: "one-way downlink"}
        order = sorted(heard, key=lambda k: (k != NORMAL, -heard[k]))
        text += "; heard: " + ", ".join(f"{heard[k]} {names.get(k, LISTENER_TEXT.get(k, k))}" for k in order)
        bad = sum(n for k, n in heard.items() if k != NORMAL)
        if bad:  # all normal: "heard: 15 normal" says it
            text += f" ({sum(heard.values()) - bad} of {sum(heard.values())} marked calls ok)"
    return text


def trx_radio(run: CqtEvidence, sessions: list[SessionData]) -> dict[str, tuple[float | None, float | None]]:
    """Median RXLEV (dBm) and RXQUAL of each TRX during its calls (connected to end, dedicated
    samples of the report's sessions); the level the call recorded at its start when no sample
    covers it."""
    samples = sorted((x for s in sessions for x in s.samples if x.mode == DEDICATED), key=lambda x: x.ts_utc)
    levels: dict[str, list[float]] = {}
    quals: dict[str, list[float]] = {}
    for call in run.calls:
        if call.trx_id is None:
            continue
        start = call.connected_utc if call.connected_utc is not None else call.start_utc
        end = call.end_utc if call.end_utc is not None else start
        during = [x for x in samples if start <= x.ts_utc <= end]
        lv = [x.rxlev_dbm for x in during if x.rxlev_dbm is not None]
        if not lv and call.serving and call.serving.get("rxlev_dbm") is not None:
            lv = [float(call.serving["rxlev_dbm"])]
        levels.setdefault(call.trx_id, []).extend(lv)
        quals.setdefault(call.trx_id, []).extend(float(x.rxqual) for x in during if x.rxqual is not None)
    return {trx: (percentile(levels.get(trx, []), 50), percentile(quals.get(trx, []), 50))
            for trx in set(levels) | set(quals)}


def _cqt_table(run: CqtEvidence, sessions: list[SessionData]) -> str:
    """Two tables: the network's result with the radio during the calls, and what the listener
    heard. A call "released normally" may still have been one-way, so the two never share a
    word; one-way uplink and downlink are different faults and have their own columns."""
    radio = trx_radio(run, sessions)
    net, heard = [], []
    for trx, c in run.matrix.items():
        listener = c.get("listener", {}) or {}
        marked = c.get("marked", 0)
        counts = [f"{listener.get(k, 0)}/{marked}" if marked else "—" for k in (NORMAL, ONE_WAY_UL, ONE_WAY_DL,
                                                                              NO_AUDIO)]
        other = sum(v for k, v in listener.items() if k not in (NORMAL, ONE_WAY_UL, ONE_WAY_DL, NO_AUDIO))
        level, qual = radio.get(trx, (None, None))
        a = [escape(trx), str(c.get("calls", 0)), f"{c.get('setup_failed', 0)}", f"{c.get('dropped', 0)}",
             f"{c.get('released', 0)}", "—" if level is None else f"{level:.0f} dBm",
             "—" if qual is None else f"{qual:.1f}".rstrip("0").rstrip(".")]
        b = [escape(trx), str(marked), *counts, f"{other}/{marked}" if marked else "—"]
        if trx == run.suspect:
            a, b = ([f"<b style='color:#b0151a'>{x}</b>" for x in row] for row in (a, b))
        net.append(a)
        heard.append(b)
    return ("<h3>Network result and radio during the calls</h3>"
            + _table(["TRX", "calls", "setup failures", "drops", "released normally", "median RXLEV",
                      "median RXQUAL"], net)
            + "<h3>What the listener heard (marked calls)</h3>"
            + _table(["TRX", "marked", "normal", "one-way uplink", "one-way downlink", "no audio",
                      "echo, noise, choppy, crosstalk"], heard)
            + "<p class='muted'>\"Released normally\" is the network's result (connected, held, ended without a "
            "drop); what was heard is counted per marked call. One-way uplink: the far end cannot hear us; "
            "downlink: we cannot hear the far end.</p>")
