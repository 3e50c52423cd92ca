"""One module per document format; each exposes ``read_<format>(data: bytes) -> Extraction``.
Which module reads which files is decided in ``ingest/formats.py`` alone."""
