"""Call quality tests per TRX: the one-way-audio hunt (docs/domain.md cases 3 and 4, §4).

A CQT run makes repeated test calls at one spot and ties each call to a TRX of the cell under
test: by *lock* (the handset's ARFCN lock), by *block* (the BSC team blocks all TRXs but one,
the engineer confirms) or by *attribute* (the channel read from the engineering mode during the
call, mapped through the cell's TRX plan; hopping → "unknown", never guessed). The verdict
names a suspect TRX with an exact test, or says that none stands out.

Modules: ``calls`` (one call's record, outcome and listener codes), ``plan`` (the plan and its
validation), ``attribution`` (channel → TRX, and the TRX a finished call counts on), ``matrix``
(TRX × outcome counts), ``verdict`` (Fisher's exact test and the stated rule), ``runner`` (the
Qt-free runner), ``trx_setup`` (lock/block before the calls, the pre-flight refusals),
``call_result`` (what a finished call was, the listener's verdict), ``run_store`` (the run in
the workspace), ``live_run`` (a runner on the window's live connection).

May import: the kernel (``fieldapp.model``, ``radio``, and ``device`` for the handset's
errors and the ``CallControl`` interface it drives), ``fieldapp.store``, ``fieldapp.session``
and the standard library; never a driver module (a contract in pyproject.toml).
"""
