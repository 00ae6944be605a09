"""Names vulture (the unused-code gate, tests/test_quality.py) cannot see being used: each is read by a framework,
a protocol or a library rather than by our own code. Add a name here only with the reason; code nothing uses is
removed instead. (Routes, click commands and SQLAlchemy event listeners are recognised by their decorators:
[tool.vulture] in pyproject.toml.)"""

# ruff: noqa: B018 - the bare expressions are the point: they mark names as used

import zipfile
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler

from pydicom.dataset import Dataset, FileMetaDataset
from rdflib.plugins.shared.jsonld import context as rdflib_context

import medal_catalog
from medal_catalog import api, contamination
from medal_catalog.api import app, models, oai
from medal_catalog.api.pages.reader import Reader
from medal_catalog.api.refresh import Refreshed
from medal_catalog.cli.lazy import LazyGroup
from medal_catalog.dicom import annex_e, header

# Module __getattr__ / __dir__ (PEP 562): the lazy public names of a package.
medal_catalog.__getattr__
medal_catalog.__dir__
api.__getattr__
contamination.__getattr__

# The factory `medal serve` hands uvicorn by its import string ("medal_catalog.api.app:from_environment").
app.from_environment

# pydantic: a field of FastAPI's own error items, and the models' configuration.
models.FieldError.input
models.FieldError.model_config

# OAI-PMH verbs, dispatched by name (Repository.respond: getattr(self, f"_{verb}")).
oai.Repository._Identify
oai.Repository._ListMetadataFormats
oai.Repository._ListSets
oai.Repository._GetRecord
oai.Repository._ListIdentifiers
oai.Repository._ListRecords

# Read by the dataset page's template (api/pages/templates/dataset.html).
Reader.access_how
Reader.series_total
Reader.series_pages
Reader.no_thumbnails
Reader.audit_line

# rdflib's source_to_json, replaced by the safe one (croissant/jsonld.guard_rdflib); its parameters, and those of
# the keyed UID map's dict.get, are in [tool.vulture] ignore_names: the callers pass them, the bodies need not read
# them.
rdflib_context.source_to_json

# zipfile reads these attributes of the ZipInfo it is given.
zipfile.ZipInfo.external_attr
zipfile.ZipInfo.compress_type

# pydicom writes these attributes of a Dataset (or its file meta) into the file.
Dataset.preamble
Dataset.is_implicit_VR
Dataset.is_little_endian
Dataset.DeidentificationMethod
Dataset.CodingSchemeDesignator
Dataset.CodeMeaning
FileMetaDataset.ImplementationClassUID
FileMetaDataset.ImplementationVersionName
# ... and these, which the tests write into the synthetic files they make.
Dataset.BitsAllocated
Dataset.BitsStored
Dataset.BodyPartExamined
Dataset.Columns
Dataset.ContentSequence
Dataset.DeviceSerialNumber
Dataset.EchoTime
Dataset.HighBit
Dataset.InstanceNumber
Dataset.InstitutionAddress
Dataset.InstitutionName
Dataset.MagneticFieldStrength
Dataset.Manufacturer
Dataset.ManufacturerModelName
Dataset.NumberOfFrames
Dataset.OperatorsName
Dataset.OtherPatientIDs
Dataset.PatientBirthDate
Dataset.PersonName
Dataset.PhotometricInterpretation
Dataset.PixelRepresentation
Dataset.ProtocolName
Dataset.ReferencedSOPClassUID
Dataset.ReferringPhysicianName
Dataset.RepetitionTime
Dataset.RequestAttributesSequence
Dataset.RequestedProcedureID
Dataset.Rows
Dataset.SamplesPerPixel
Dataset.SliceThickness
Dataset.StationName
Dataset.StudyDescription

# The standard library calls these of the request handlers and HTML parsers the tests define.
BaseHTTPRequestHandler.do_HEAD
BaseHTTPRequestHandler.do_POST
BaseHTTPRequestHandler.log_message
HTMLParser.handle_starttag
HTMLParser.handle_endtag

# Labels kept for the reader: the source of the vendored Annex E table (house habit 8), and the transfer syntax
# among the four the header reader names (it reads explicit little endian by default, so never by name).
annex_e.SOURCE
header.EXPLICIT_LE

# click calls these of the lazy group (cli/lazy.py) when it lists and runs commands.
LazyGroup.get_command
LazyGroup.format_commands

# What one refresh did (api/refresh.py): read through Refreshed.to_dict (dataclasses.asdict) by logs and tests.
Refreshed.campaigns
Refreshed.leaderboards
