"""logs: drive-test log *formats* (not application logging).

One module per format: a pure line/record parser plus a thin file iterator, a registry that
picks the reader for a file, writers for export, and the replay clock. No Qt. May import only
`fieldapp.model` and `fieldapp.radio` from the domain (checked by import-linter).
"""
