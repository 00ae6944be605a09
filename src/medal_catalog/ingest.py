"""The one path from a source (a submission, a DICOM tree, a Croissant file) into the catalog (store + index)."""
