"""Collections: curated, ordered sets of practices (and essays) — manuals, toolboxes and reading
lists — published as frozen editions that read as a book and download as a PDF."""
