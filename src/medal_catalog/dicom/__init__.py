"""The DICOM format: bounded header reader, the PS3.15 Annex E table and audit, archive walking."""
