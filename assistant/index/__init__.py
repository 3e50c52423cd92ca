"""The index: one folder of generations, each a complete, checksummed snapshot.

``layout`` (folders, CURRENT, the build lock, publishing, manifest I/O), ``generation`` (opening
one generation read-only; the compatibility rule), ``store`` (SQLite: every SQL statement),
``vectors`` (FAISS), ``lexical`` (BM25 arrays with their own parameters), ``build`` (bringing a
generation up to date with the corpus) and ``verify`` (the thorough check).
"""
