"""Models: ``seed`` holds the article's classes verbatim; one module per application adds improved ones."""
