# GENERATED from src/medal_catalog/schema/medal.yaml by `medal schema generate`. Do not edit: edit the yaml and regenerate.
# ruff: noqa
from __future__ import annotations

import re
import sys
from datetime import (
    date,
    datetime,
    time
)
from decimal import Decimal
from enum import Enum
from typing import (
    Any,
    ClassVar,
    Literal,
    Optional,
    Union
)

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer
)


metamodel_version = "1.12.0"
version = "0.1.0"


class ConfiguredBaseModel(BaseModel):
    model_config = ConfigDict(
        serialize_by_alias = True,
        validate_by_name = True,
        validate_assignment = True,
        validate_default = True,
        extra = "forbid",
        arbitrary_types_allowed = True,
        use_enum_values = True,
        strict = False,
    )





class LinkMLMeta(RootModel):
    root: dict[str, Any] = {}
    model_config = ConfigDict(frozen=True)

    def __getattr__(self, key:str):
        return getattr(self.root, key)

    def __getitem__(self, key:str):
        return self.root[key]

    def __setitem__(self, key:str, value):
        self.root[key] = value

    def __contains__(self, key:str) -> bool:
        return key in self.root


linkml_meta = LinkMLMeta({'default_prefix': 'medal',
     'default_range': 'string',
     'description': 'The data model of the MEDAL catalog ("Medical Imaging AGI\'s '
                    'Last Exam"): clinical benchmark tasks, the imaging datasets '
                    'behind them, harvested de-identified DICOM series, consent, '
                    'ethics, licences, provenance, de-identification records and '
                    "the expert panel's review assessments. This file is the only "
                    'hand-written model; pydantic models, JSON Schema, JSON-LD '
                    'context, SHACL shapes and the search mapping are generated '
                    'from it.',
     'id': 'https://w3id.org/medal/schema',
     'imports': ['linkml:types'],
     'license': 'https://spdx.org/licenses/CC-BY-4.0',
     'name': 'medal',
     'prefixes': {'ADMS': {'prefix_prefix': 'ADMS',
                           'prefix_reference': 'http://www.w3.org/ns/adms#'},
                  'DICOM': {'prefix_prefix': 'DICOM',
                            'prefix_reference': 'http://dicom.nema.org/resources/ontology/DCM/'},
                  'DUO': {'prefix_prefix': 'DUO',
                          'prefix_reference': 'http://purl.obolibrary.org/obo/DUO_'},
                  'ICD10': {'prefix_prefix': 'ICD10',
                            'prefix_reference': 'http://purl.bioontology.org/ontology/ICD10/'},
                  'MONDO': {'prefix_prefix': 'MONDO',
                            'prefix_reference': 'http://purl.obolibrary.org/obo/MONDO_'},
                  'NCIT': {'prefix_prefix': 'NCIT',
                           'prefix_reference': 'http://purl.obolibrary.org/obo/NCIT_'},
                  'OBI': {'prefix_prefix': 'OBI',
                          'prefix_reference': 'http://purl.obolibrary.org/obo/OBI_'},
                  'RADLEX': {'prefix_prefix': 'RADLEX',
                             'prefix_reference': 'https://radlex.org/RID/'},
                  'SCTID': {'prefix_prefix': 'SCTID',
                            'prefix_reference': 'http://snomed.info/id/'},
                  'STATO': {'prefix_prefix': 'STATO',
                            'prefix_reference': 'http://purl.obolibrary.org/obo/STATO_'},
                  'UBERON': {'prefix_prefix': 'UBERON',
                             'prefix_reference': 'http://purl.obolibrary.org/obo/UBERON_'},
                  'cr': {'prefix_prefix': 'cr',
                         'prefix_reference': 'http://mlcommons.org/croissant/'},
                  'dcat': {'prefix_prefix': 'dcat',
                           'prefix_reference': 'http://www.w3.org/ns/dcat#'},
                  'dcterms': {'prefix_prefix': 'dcterms',
                              'prefix_reference': 'http://purl.org/dc/terms/'},
                  'foaf': {'prefix_prefix': 'foaf',
                           'prefix_reference': 'http://xmlns.com/foaf/0.1/'},
                  'linkml': {'prefix_prefix': 'linkml',
                             'prefix_reference': 'https://w3id.org/linkml/'},
                  'medal': {'prefix_prefix': 'medal',
                            'prefix_reference': 'https://w3id.org/medal/schema/'},
                  'prov': {'prefix_prefix': 'prov',
                           'prefix_reference': 'http://www.w3.org/ns/prov#'},
                  'rai': {'prefix_prefix': 'rai',
                          'prefix_reference': 'http://mlcommons.org/croissant/RAI/'},
                  'rdf': {'prefix_prefix': 'rdf',
                          'prefix_reference': 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'},
                  'schema': {'prefix_prefix': 'schema',
                             'prefix_reference': 'http://schema.org/'},
                  'skos': {'prefix_prefix': 'skos',
                           'prefix_reference': 'http://www.w3.org/2004/02/skos/core#'},
                  'spdx': {'prefix_prefix': 'spdx',
                           'prefix_reference': 'http://spdx.org/rdf/terms#'},
                  'vcard': {'prefix_prefix': 'vcard',
                            'prefix_reference': 'http://www.w3.org/2006/vcard/ns#'},
                  'xsd': {'prefix_prefix': 'xsd',
                          'prefix_reference': 'http://www.w3.org/2001/XMLSchema#'}},
     'see_also': ['https://w3id.org/medal'],
     'source_file': 'medal.yaml',
     'title': 'MEDAL catalog schema',
     'types': {'CountryCode': {'description': 'An ISO 3166-1 alpha-2 country code '
                                              '(two upper-case letters); the list '
                                              'itself is checked by the validator.',
                               'from_schema': 'https://w3id.org/medal/schema',
                               'name': 'CountryCode',
                               'typeof': 'string'},
               'DicomUid': {'description': 'A DICOM unique identifier (PS3.5 '
                                           'section 9): digits and dots, no '
                                           'leading zeros, at most 64 characters, '
                                           'such as 1.2.826.0.1.3680043.8.498.1.',
                            'from_schema': 'https://w3id.org/medal/schema',
                            'name': 'DicomUid',
                            'typeof': 'string'},
               'Doi': {'description': 'A Digital Object Identifier without '
                                      'resolver prefix, such as 10.1234/abcd.',
                       'from_schema': 'https://w3id.org/medal/schema',
                       'name': 'Doi',
                       'typeof': 'string'},
               'EntryId': {'description': 'The local identifier of a catalog '
                                          'entry: lower-case letters, digits, '
                                          'dots, underscores and hyphens; it '
                                          "becomes the last segment of the entry's "
                                          'resolvable identifier.',
                           'from_schema': 'https://w3id.org/medal/schema',
                           'name': 'EntryId',
                           'typeof': 'string'},
               'Md5': {'description': 'An MD5 digest written as 32 lower-case '
                                      'hexadecimal characters.',
                       'from_schema': 'https://w3id.org/medal/schema',
                       'name': 'Md5',
                       'typeof': 'string'},
               'Orcid': {'description': 'An ORCID iD written as its https URL, '
                                        'such as '
                                        'https://orcid.org/0000-0002-1825-0097; '
                                        'the check digit (ISO 7064 MOD 11-2) is '
                                        'checked by the validator.',
                         'from_schema': 'https://w3id.org/medal/schema',
                         'name': 'Orcid',
                         'typeof': 'uri'},
               'RorId': {'description': 'A Research Organization Registry '
                                        'identifier written as its https URL, such '
                                        'as https://ror.org/02mhbdp94.',
                         'from_schema': 'https://w3id.org/medal/schema',
                         'name': 'RorId',
                         'typeof': 'uri'},
               'Score': {'description': 'A review score on a five-point scale, 1 '
                                        '(lowest) to 5 (highest); the bounds sit '
                                        'on the score slots.',
                         'from_schema': 'https://w3id.org/medal/schema',
                         'name': 'Score',
                         'typeof': 'integer'},
               'Sha256': {'description': 'A SHA-256 digest written as 64 '
                                         'lower-case hexadecimal characters.',
                          'from_schema': 'https://w3id.org/medal/schema',
                          'name': 'Sha256',
                          'typeof': 'string'}}} )

class TaskTypeEnum(str, Enum):
    """
    The kind of machine-learning problem a task poses.
    """
    classification = "classification"
    """
    Assign each case one or more labels from a fixed set.
    """
    detection = "detection"
    """
    Locate and label findings (points or boxes) in the images.
    """
    segmentation = "segmentation"
    """
    Delineate structures or lesions voxel by voxel.
    """
    regression = "regression"
    """
    Predict a continuous quantity.
    """
    prognosis = "prognosis"
    """
    Predict a future outcome or time to event.
    """
    report_generation = "report_generation"
    """
    Write a free-text radiology report or impression.
    """
    visual_question_answering = "visual_question_answering"
    """
    Answer a natural-language question about the images.
    """
    retrieval = "retrieval"
    """
    Find the matching images, cases or reports.
    """
    registration = "registration"
    """
    Align images in space or time.
    """
    reconstruction = "reconstruction"
    """
    Reconstruct or enhance images from raw or degraded data.
    """
    counting = "counting"
    """
    Count findings such as nodules or lesions.
    """
    localization = "localization"
    """
    Point at the anatomical location of a finding.
    """


class LifecycleStatusEnum(str, Enum):
    """
    Where a task stands in the MEDAL review lifecycle.
    """
    draft = "draft"
    """
    Being written by the contributor; not yet submitted.
    """
    submitted = "submitted"
    """
    Submitted and awaiting review.
    """
    under_review = "under_review"
    """
    Assigned to the expert panel.
    """
    accepted = "accepted"
    """
    Accepted into the exam.
    """
    rejected = "rejected"
    """
    Rejected by the panel.
    """
    retired = "retired"
    """
    Once accepted, now withdrawn from the exam.
    """
    withdrawn = "withdrawn"
    """
    Withdrawn by its contributor before a decision; they may resubmit it.
    """


class ModalityEnum(str, Enum):
    """
    DICOM modality codes (CID 29 Acquisition Modality and CID 33 Modality).
    """
    CT = "CT"
    """
    Computed Tomography
    """
    MR = "MR"
    """
    Magnetic Resonance
    """
    PT = "PT"
    """
    Positron emission tomography (PET)
    """
    NM = "NM"
    """
    Nuclear Medicine
    """
    US = "US"
    """
    Ultrasound
    """
    CR = "CR"
    """
    Computed Radiography
    """
    DX = "DX"
    """
    Digital Radiography
    """
    MG = "MG"
    """
    Mammography
    """
    XA = "XA"
    """
    X-Ray Angiography
    """
    RF = "RF"
    """
    Radio Fluoroscopy
    """
    SM = "SM"
    """
    Slide Microscopy
    """
    OP = "OP"
    """
    Ophthalmic Photography
    """
    OPT = "OPT"
    """
    Ophthalmic Tomography
    """
    ES = "ES"
    """
    Endoscopy
    """
    XC = "XC"
    """
    External-camera Photography
    """
    IVOCT = "IVOCT"
    """
    Intravascular Optical Coherence Tomography
    """
    IVUS = "IVUS"
    """
    Intravascular Ultrasound
    """
    PX = "PX"
    """
    Panoramic X-Ray
    """
    IO = "IO"
    """
    Intra-oral Radiography
    """
    SC = "SC"
    """
    Secondary Capture
    """
    SEG = "SEG"
    """
    Segmentation
    """
    SR = "SR"
    """
    Structured Report
    """
    RTSTRUCT = "RTSTRUCT"
    """
    Radiotherapy Structure Set
    """
    OT = "OT"
    """
    Other
    """


class AccessLevelEnum(str, Enum):
    """
    Who may access a dataset's files.
    """
    open = "open"
    """
    Anyone may download the files under the licence.
    """
    registered = "registered"
    """
    Registered consortium members may download the files.
    """
    controlled = "controlled"
    """
    Access only after a data access committee approves a request and a data use agreement is signed.
    """
    hidden_test = "hidden_test"
    """
    A sequestered test set; nobody outside the exam's evaluation sees files or labels.
    """


class PublicationStatusEnum(str, Enum):
    """
    Whether the data have been published before.
    """
    unpublished = "unpublished"
    """
    Never released; models cannot have seen it.
    """
    published = "published"
    """
    Released before, with a DOI.
    """
    partially_published = "partially_published"
    """
    Some of the images or labels were released before.
    """


class ConsentTypeEnum(str, Enum):
    """
    The kind of consent under which data were collected.
    """
    broad = "broad"
    """
    Broad consent to future research use.
    """
    specific = "specific"
    """
    Consent to a specific study.
    """
    opt_out = "opt_out"
    """
    Data used unless the patient opted out.
    """
    waiver = "waiver"
    """
    Consent waived by an ethics committee.
    """
    not_applicable = "not_applicable"
    """
    Consent not needed (for example fully synthetic or phantom data).
    """


class DuoPermissionEnum(str, Enum):
    """
    Data Use Ontology permissions.
    """
    NRES = "NRES"
    """
    no restriction
    """
    GRU = "GRU"
    """
    general research use
    """
    HMB = "HMB"
    """
    health or medical or biomedical research
    """
    DS = "DS"
    """
    disease specific research
    """
    POA = "POA"
    """
    population origins or ancestry research only
    """


class DuoModifierEnum(str, Enum):
    """
    Data Use Ontology modifiers.
    """
    NMDS = "NMDS"
    """
    no general methods research (excludes methods development, which an AI benchmark is)
    """
    GSO = "GSO"
    """
    genetic studies only
    """
    NPUNCU = "NPUNCU"
    """
    not for profit, non commercial use only
    """
    PUB = "PUB"
    """
    publication required
    """
    COL = "COL"
    """
    collaboration required
    """
    IRB = "IRB"
    """
    ethics approval required
    """
    GS = "GS"
    """
    geographical restriction
    """
    MOR = "MOR"
    """
    publication moratorium
    """
    TS = "TS"
    """
    time limit on use
    """
    US = "US"
    """
    user specific restriction
    """
    PS = "PS"
    """
    project specific restriction
    """
    IS = "IS"
    """
    institution specific restriction
    """
    RTN = "RTN"
    """
    return to database or resource
    """
    NPU = "NPU"
    """
    not for profit organisation use only
    """
    NCU = "NCU"
    """
    non-commercial use only
    """


class CodeSystemEnum(str, Enum):
    """
    Code systems for conditions and anatomy.
    """
    SNOMEDCT = "SNOMEDCT"
    """
    SNOMED CT
    """
    ICD10 = "ICD10"
    """
    ICD-10
    """
    MONDO = "MONDO"
    """
    Mondo Disease Ontology
    """
    RADLEX = "RADLEX"
    """
    RadLex
    """
    UBERON = "UBERON"
    """
    Uberon anatomy ontology
    """
    NCIT = "NCIT"
    """
    NCI Thesaurus
    """


class ClinicalSpecialtyEnum(str, Enum):
    """
    Clinical specialties, mapped to schema.org MedicalSpecialty.
    """
    radiology = "radiology"
    """
    Radiology
    """
    neuroradiology = "neuroradiology"
    """
    Neuroradiology
    """
    oncology = "oncology"
    """
    Oncology
    """
    cardiology = "cardiology"
    """
    Cardiology
    """
    pulmonology = "pulmonology"
    """
    Pulmonology
    """
    emergency_medicine = "emergency_medicine"
    """
    Emergency medicine
    """
    pediatrics = "pediatrics"
    """
    Paediatrics
    """
    gastroenterology = "gastroenterology"
    """
    Gastroenterology
    """
    musculoskeletal = "musculoskeletal"
    """
    Musculoskeletal
    """
    obstetrics = "obstetrics"
    """
    Obstetrics
    """
    urology = "urology"
    """
    Urology
    """
    pathology = "pathology"
    """
    Pathology
    """
    dermatology = "dermatology"
    """
    Dermatology
    """
    ophthalmology = "ophthalmology"
    """
    Ophthalmology
    """
    surgery = "surgery"
    """
    Surgery
    """


class ReferenceStandardMethodEnum(str, Enum):
    """
    How ground truth was established.
    """
    expert_consensus = "expert_consensus"
    """
    Consensus of several expert readers.
    """
    single_expert = "single_expert"
    """
    One expert reader.
    """
    histopathology = "histopathology"
    """
    Biopsy or surgical pathology.
    """
    follow_up_imaging = "follow_up_imaging"
    """
    Stability or change on follow-up imaging.
    """
    clinical_outcome = "clinical_outcome"
    """
    Documented clinical outcome.
    """
    laboratory_test = "laboratory_test"
    """
    A laboratory result.
    """
    surgical_findings = "surgical_findings"
    """
    Findings at surgery.
    """
    composite = "composite"
    """
    A combination of the above.
    """


class MetricRoleEnum(str, Enum):
    """
    Whether a metric ranks submissions.
    """
    primary = "primary"
    """
    Ranks submissions.
    """
    secondary = "secondary"
    """
    Reported alongside the primary metric.
    """


class ProblemCategoryEnum(str, Enum):
    """
    The Metrics Reloaded problem categories (plus regression for continuous targets).
    """
    image_classification = "image_classification"
    """
    Image-level classification (ImLC) - one class per case.
    """
    semantic_segmentation = "semantic_segmentation"
    """
    Semantic segmentation (SemS) - a class per voxel.
    """
    object_detection = "object_detection"
    """
    Object detection (ObD) - each instance located as a point or box.
    """
    instance_segmentation = "instance_segmentation"
    """
    Instance segmentation (InS) - each instance delineated voxel by voxel.
    """
    regression = "regression"
    """
    A continuous quantity per case.
    """


class MatchingRuleEnum(str, Enum):
    """
    How predicted findings are matched to reference findings before counting hits.
    """
    box_iou = "box_iou"
    """
    A predicted box matches a reference box when their IoU is at least the matching threshold.
    """
    point_distance = "point_distance"
    """
    A predicted point matches a reference point within the matching threshold (mm).
    """


class MetricEnum(str, Enum):
    """
    The metrics the catalog computes, with Metrics Reloaded names (Maier-Hein et al., Nature Methods 21:195-212, 2024); docs/evaluation.md gives each one's exact computation.
    """
    Area_under_the_receiver_operating_characteristic_curve_LEFT_PARENTHESISAUROCRIGHT_PARENTHESIS = "auroc"
    """
    Threshold-free discrimination of a score between positive and negative cases.
    """
    Average_precision_LEFT_PARENTHESISAPRIGHT_PARENTHESIS = "average_precision"
    """
    Area under the precision-recall curve, step-wise (scikit-learn's average_precision_score).
    """
    Balanced_accuracy_LEFT_PARENTHESISBARIGHT_PARENTHESIS = "balanced_accuracy"
    """
    Mean of sensitivity and specificity at the decision threshold.
    """
    Matthews_correlation_coefficient_LEFT_PARENTHESISMCCRIGHT_PARENTHESIS = "mcc"
    """
    Correlation of the thresholded calls with the reference, robust to prevalence.
    """
    Net_benefit_LEFT_PARENTHESISNBRIGHT_PARENTHESIS = "net_benefit"
    """
    Decision-curve net benefit at the decision threshold t, TP/n - FP/n * t/(1-t).
    """
    Brier_score_LEFT_PARENTHESISBSRIGHT_PARENTHESIS = "brier_score"
    """
    Mean squared difference between the probability and the 0/1 reference (calibration and discrimination).
    """
    Expected_calibration_error_LEFT_PARENTHESISECERIGHT_PARENTHESIS = "ece"
    """
    Case-weighted mean gap between confidence and observed frequency over 10 equal-width bins.
    """
    Sensitivity_LEFT_PARENTHESISrecall_true_positive_rateRIGHT_PARENTHESIS = "sensitivity"
    """
    Share of positive cases called positive at the decision threshold.
    """
    Specificity_LEFT_PARENTHESIStrue_negative_rateRIGHT_PARENTHESIS = "specificity"
    """
    Share of negative cases called negative at the decision threshold.
    """
    Accuracy = "accuracy"
    """
    Share of cases called correctly at the decision threshold (misleading under imbalance).
    """
    Mean_absolute_error_LEFT_PARENTHESISMAERIGHT_PARENTHESIS = "mae"
    """
    Mean absolute difference between prediction and reference.
    """
    Root_mean_squared_error_LEFT_PARENTHESISRMSERIGHT_PARENTHESIS = "rmse"
    """
    Square root of the mean squared difference between prediction and reference.
    """
    Dice_similarity_coefficient_LEFT_PARENTHESISDSCRIGHT_PARENTHESIS = "dsc"
    """
    2|A and B| / (|A| + |B|) per case on the reference grid, averaged over cases; 1 when both are empty.
    """
    Intersection_over_union_LEFT_PARENTHESISIoU_JaccardRIGHT_PARENTHESIS = "iou"
    """
    |A and B| / |A or B| per case, averaged over cases; 1 when both are empty.
    """
    Normalized_surface_distance_LEFT_PARENTHESISNSDRIGHT_PARENTHESIS = "nsd"
    """
    Share of both boundaries lying within the tolerance (tolerance_mm) of the other, with voxel spacing.
    """
    Hausdorff_distance_95th_percentile_LEFT_PARENTHESISHD95RIGHT_PARENTHESIS = "hd95"
    """
    95th percentile of the symmetric boundary distances in millimetres, with voxel spacing.
    """
    Mean_average_surface_distance_LEFT_PARENTHESISMASDRIGHT_PARENTHESIS = "masd"
    """
    Mean of the two directed mean boundary distances in millimetres, with voxel spacing.
    """
    F_beta_score_LEFT_PARENTHESISF1RIGHT_PARENTHESIS_after_matching = "fbeta"
    """
    Harmonic mean of detection sensitivity and PPV (beta 1) over all findings, after matching by the task's rule.
    """
    Sensitivity_after_matching = "detection_sensitivity"
    """
    Share of reference findings matched by a predicted finding, over all cases.
    """
    Positive_predictive_value_LEFT_PARENTHESISprecisionRIGHT_PARENTHESIS = "ppv"
    """
    Share of predicted findings (detection) or positive calls (classification) that are true.
    """


class DecisionEnum(str, Enum):
    """
    A panel decision on a task under review.
    """
    accept = "accept"
    """
    Accept the task into the exam.
    """
    reject = "reject"
    """
    Do not include the task in the exam.
    """


class RecommendationEnum(str, Enum):
    """
    A reviewer's recommendation.
    """
    accept = "accept"
    """
    Accept as is.
    """
    minor_revision = "minor_revision"
    """
    Accept after minor changes.
    """
    major_revision = "major_revision"
    """
    Reconsider after major changes.
    """
    reject = "reject"
    """
    Do not include in the exam.
    """


class ContributorRoleEnum(str, Enum):
    """
    Parts a person plays in an entry.
    """
    principal_investigator = "principal_investigator"
    """
    Leads the work.
    """
    data_curator = "data_curator"
    """
    Curates the data.
    """
    annotator = "annotator"
    """
    Labels the data.
    """
    clinician = "clinician"
    """
    Provides clinical expertise.
    """
    submitter = "submitter"
    """
    Submits the entry to MEDAL.
    """
    data_manager = "data_manager"
    """
    Manages de-identification and transfer.
    """


class SourceKindEnum(str, Enum):
    """
    The kind of source a harvester read.
    """
    dicom = "dicom"
    """
    A folder or zip of DICOM files.
    """
    croissant = "croissant"
    """
    A Croissant JSON-LD file.
    """
    submission = "submission"
    """
    A MEDAL submission folder.
    """


class DistributionKindEnum(str, Enum):
    """
    Whether a distribution is one file or many.
    """
    file = "file"
    """
    A single file (Croissant FileObject).
    """
    file_set = "file_set"
    """
    A set of files matched by a pattern (Croissant FileSet).
    """


class DistributionRoleEnum(str, Enum):
    """
    What a distribution holds for its dataset.
    """
    images = "images"
    """
    Image files (DICOM, NIfTI, PNG).
    """
    labels = "labels"
    """
    Reference-standard labels or annotations.
    """
    clinical_data = "clinical_data"
    """
    A table of clinical, demographic or laboratory data.
    """
    reports = "reports"
    """
    Text reports (radiology, pathology).
    """
    archive = "archive"
    """
    An archive other files are extracted from.
    """
    metadata = "metadata"
    """
    Metadata about the data (manifests, data dictionaries).
    """
    other = "other"
    """
    Anything else.
    """


class BurnedInAnnotationEnum(str, Enum):
    """
    Values of BurnedInAnnotation (0028,0301), plus unknown when absent.
    """
    YES = "YES"
    """
    The pixel data carry burned-in text.
    """
    NO = "NO"
    """
    The pixel data carry no burned-in text.
    """
    UNKNOWN = "UNKNOWN"
    """
    Not declared.
    """


class DeidentificationStatusEnum(str, Enum):
    """
    A series' de-identification status after the audit.
    """
    clean = "clean"
    """
    Declared de-identified and no identifying attribute found.
    """
    flagged = "flagged"
    """
    The audit found identifying attributes (left out of the catalog).
    """
    not_declared = "not_declared"
    """
    No identifying attribute found, but PatientIdentityRemoved is not YES.
    """


class DeidentificationOptionEnum(str, Enum):
    """
    DICOM CID 7050 De-identification Method codes (PS3.15 Annex E profile and options).
    """
    basic_profile = "basic_profile"
    """
    Basic Application Confidentiality Profile
    """
    clean_pixel_data = "clean_pixel_data"
    """
    Clean Pixel Data Option
    """
    clean_recognizable_visual_features = "clean_recognizable_visual_features"
    """
    Clean Recognizable Visual Features Option
    """
    clean_graphics = "clean_graphics"
    """
    Clean Graphics Option
    """
    clean_structured_content = "clean_structured_content"
    """
    Clean Structured Content Option
    """
    clean_descriptors = "clean_descriptors"
    """
    Clean Descriptors Option
    """
    retain_longitudinal_full_dates = "retain_longitudinal_full_dates"
    """
    Retain Longitudinal Temporal Information Full Dates Option
    """
    retain_longitudinal_modified_dates = "retain_longitudinal_modified_dates"
    """
    Retain Longitudinal Temporal Information Modified Dates Option
    """
    retain_patient_characteristics = "retain_patient_characteristics"
    """
    Retain Patient Characteristics Option
    """
    retain_device_identity = "retain_device_identity"
    """
    Retain Device Identity Option
    """
    retain_uids = "retain_uids"
    """
    Retain UIDs Option
    """
    retain_safe_private = "retain_safe_private"
    """
    Retain Safe Private Option
    """
    retain_institution_identity = "retain_institution_identity"
    """
    Retain Institution Identity Option
    """



class MedalCatalog(ConfiguredBaseModel):
    """
    A container for files that hold many entries: a submission or an export may list tasks, datasets, harvested series and review assessments together.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'dcat:Catalog',
         'from_schema': 'https://w3id.org/medal/schema',
         'tree_root': True})

    tasks: Optional[list[BenchmarkTask]] = Field(default=None, description="""The benchmark tasks held in this file.""", json_schema_extra = { "linkml_meta": {'domain_of': ['MedalCatalog']} })
    datasets: Optional[list[ImagingDataset]] = Field(default=None, description="""The imaging datasets held in this file.""", json_schema_extra = { "linkml_meta": {'domain_of': ['MedalCatalog'], 'slot_uri': 'dcat:dataset'} })
    series: Optional[list[ImagingSeries]] = Field(default=None, description="""Harvested imaging series, each de-identified and audited.""", json_schema_extra = { "linkml_meta": {'domain_of': ['MedalCatalog', 'ImagingDataset'], 'slot_uri': 'dcterms:hasPart'} })
    reviews: Optional[list[ReviewAssessment]] = Field(default=None, description="""Review assessments held in this file.""", json_schema_extra = { "linkml_meta": {'domain_of': ['MedalCatalog']} })
    decisions: Optional[list[PanelDecision]] = Field(default=None, description="""Panel decisions held in this file (records of the panel, replayed once by a harvest).""", json_schema_extra = { "linkml_meta": {'domain_of': ['MedalCatalog']} })


class CatalogEntry(ConfiguredBaseModel):
    """
    What every first-class catalog entry shares: an identifier, a type designator so that a file can hold a single entry, and its title.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'abstract': True, 'from_schema': 'https://w3id.org/medal/schema'})

    id: str = Field(default=..., description="""The entry's local identifier, unique within its kind.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CatalogEntry', 'PanelDecision', 'HarvestRun'],
         'slot_uri': 'dcterms:identifier'} })
    type: Literal["CatalogEntry"] = Field(default="CatalogEntry", description="""The class of the entry (BenchmarkTask, ImagingDataset, ImagingSeries or ReviewAssessment).""", json_schema_extra = { "linkml_meta": {'designates_type': True, 'domain_of': ['CatalogEntry'], 'slot_uri': 'rdf:type'} })

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class BenchmarkTask(CatalogEntry):
    """
    A clinically high-stakes medical-imaging task submitted to MEDAL: the clinical question a model must answer, why it matters, how the answer is judged and which data it uses.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:BenchmarkTask',
         'exact_mappings': ['schema:MedicalStudy'],
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'clinical_question': {'name': 'clinical_question',
                                              'required': True},
                        'modalities': {'name': 'modalities', 'required': True},
                        'submitter': {'name': 'submitter', 'required': True},
                        'task_type': {'name': 'task_type', 'required': True},
                        'title': {'name': 'title', 'required': True}}})

    title: str = Field(default=..., description="""A short human-readable title.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask', 'ImagingDataset', 'Publication'],
         'slot_uri': 'dcterms:title'} })
    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    clinical_question: str = Field(default=..., description="""The clinical question the task asks of a model, as a clinician would ask it.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask'],
         'slot_uri': 'medal:clinicalQuestion'} })
    clinical_rationale: Optional[str] = Field(default=None, description="""Why the question matters clinically and how answering it changes management.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:clinicalRationale'} })
    unmet_need: Optional[str] = Field(default=None, description="""What current practice or current AI fails to do that this task probes.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:unmetNeed'} })
    expected_patient_impact: Optional[str] = Field(default=None, description="""How patients would benefit if models solved this task reliably.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:expectedPatientImpact'} })
    task_type: TaskTypeEnum = Field(default=..., description="""The kind of machine-learning problem the task poses.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['BenchmarkTask'],
         'slot_uri': 'medal:taskType'} })
    problem: Optional[ProblemFingerprint] = Field(default=None, description="""The problem fingerprint that decides which metrics fit the task (Metrics Reloaded).""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:problem'} })
    target_conditions: Optional[list[CodedConcept]] = Field(default=None, description="""The conditions the task is about, coded in SNOMED CT, ICD-10 or MONDO.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask'],
         'slot_uri': 'schema:healthCondition'} })
    clinical_specialty: Optional[ClinicalSpecialtyEnum] = Field(default=None, description="""The clinical specialty the task belongs to.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['BenchmarkTask'],
         'slot_uri': 'schema:relevantSpecialty'} })
    modalities: list[ModalityEnum] = Field(default=..., description="""The imaging modalities involved, as DICOM modality codes (CID 29).""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'medal:modality'} })
    anatomy: Optional[list[CodedConcept]] = Field(default=None, description="""The anatomical regions involved, coded (SNOMED CT, UBERON, RadLex).""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask'],
         'slot_uri': 'schema:associatedAnatomy'} })
    input_spec: Optional[DataSpecification] = Field(default=None, description="""What a model receives for each case.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:inputSpecification'} })
    output_spec: Optional[DataSpecification] = Field(default=None, description="""What a model must produce for each case.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:outputSpecification'} })
    reference_standard: Optional[ReferenceStandard] = Field(default=None, description="""How the ground truth was established.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:referenceStandard'} })
    metrics: Optional[list[EvaluationMetric]] = Field(default=None, description="""The evaluation metrics, at least one of them primary.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:evaluationMetric'} })
    splits: Optional[list[DataSplit]] = Field(default=None, description="""The splits of the task's cases.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:split'} })
    labels: Optional[LabelTable] = Field(default=None, description="""Where the task's cases, splits and labels are.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'medal:labels'} })
    datasets_used: Optional[list[str]] = Field(default=None, description="""The identifiers of the imaging datasets the task uses.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'prov:used'} })
    status: Optional[LifecycleStatusEnum] = Field(default=None, description="""Where the task stands in the MEDAL review lifecycle. The workflow sets it (a new task enters as submitted; the panel moves it on): a submitted file need not carry it, and a value it carries is ignored.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['BenchmarkTask'],
         'slot_uri': 'ADMS:status'} })
    submitter: Person = Field(default=..., description="""The person who submitted the task.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask'], 'slot_uri': 'dcterms:creator'} })
    keywords: Optional[list[str]] = Field(default=None, description="""Free keywords that help find the entry.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'dcat:keyword'} })
    version: Optional[str] = Field(default=None, description="""The version of the entry, preferably semantic (1.0.0).""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'], 'slot_uri': 'dcat:version'} })
    created: Optional[date] = Field(default=None, description="""The date the entry was first created.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'dcterms:created'} })
    modified: Optional[date] = Field(default=None, description="""The date the entry was last changed.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'dcterms:modified'} })
    citation: Optional[str] = Field(default=None, description="""How to cite the entry, as a bibliographic reference or BibTeX.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'schema:citation'} })
    id: str = Field(default=..., description="""The entry's local identifier, unique within its kind.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CatalogEntry', 'PanelDecision', 'HarvestRun'],
         'slot_uri': 'dcterms:identifier'} })
    type: Literal["BenchmarkTask"] = Field(default="BenchmarkTask", description="""The class of the entry (BenchmarkTask, ImagingDataset, ImagingSeries or ReviewAssessment).""", json_schema_extra = { "linkml_meta": {'designates_type': True, 'domain_of': ['CatalogEntry'], 'slot_uri': 'rdf:type'} })

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class ImagingDataset(CatalogEntry):
    """
    The imaging data behind one or more tasks, described in aggregate: what it contains, where it comes from, who may use it and under which conditions, and how it was de-identified.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'dcat:Dataset',
         'exact_mappings': ['schema:Dataset', 'cr:Dataset'],
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'access_level': {'name': 'access_level', 'required': True},
                        'license': {'name': 'license', 'required': True},
                        'modalities': {'description': "The modalities of the dataset's "
                                                      'images, as DICOM modality '
                                                      'codes; empty for non-imaging '
                                                      'data.',
                                       'name': 'modalities'},
                        'title': {'name': 'title', 'required': True}}})

    title: str = Field(default=..., description="""A short human-readable title.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask', 'ImagingDataset', 'Publication'],
         'slot_uri': 'dcterms:title'} })
    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    version: Optional[str] = Field(default=None, description="""The version of the entry, preferably semantic (1.0.0).""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'], 'slot_uri': 'dcat:version'} })
    keywords: Optional[list[str]] = Field(default=None, description="""Free keywords that help find the entry.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'dcat:keyword'} })
    modalities: Optional[list[ModalityEnum]] = Field(default=None, description="""The modalities of the dataset's images, as DICOM modality codes; empty for non-imaging data.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'medal:modality'} })
    body_parts: Optional[list[str]] = Field(default=None, description="""The body parts examined, as DICOM BodyPartExamined defined terms (CID 4031), such as CHEST or BRAIN.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingDataset'],
         'slot_uri': 'medal:bodyPart'} })
    file_formats: Optional[list[str]] = Field(default=None, description="""IANA media types of the dataset's files.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'dcterms:format'} })
    subject_count: Optional[int] = Field(default=None, description="""The number of subjects (patients) in the dataset.""", ge=0, json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'range'}},
         'domain_of': ['ImagingDataset'],
         'slot_uri': 'medal:subjectCount'} })
    study_count: Optional[int] = Field(default=None, description="""The number of imaging studies.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'medal:studyCount'} })
    series_count: Optional[int] = Field(default=None, description="""The number of imaging series.""", ge=0, json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'range'}},
         'domain_of': ['ImagingDataset'],
         'slot_uri': 'medal:seriesCount'} })
    instance_count: Optional[int] = Field(default=None, description="""The number of DICOM instances (files or frames objects).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset', 'ImagingSeries'],
         'slot_uri': 'medal:instanceCount'} })
    byte_size: Optional[int] = Field(default=None, description="""The total size in bytes.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset', 'ImagingSeries', 'Distribution'],
         'slot_uri': 'dcat:byteSize'} })
    acquisition: Optional[AcquisitionSummary] = Field(default=None, description="""An aggregate summary of acquisition parameters.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'medal:acquisition'} })
    population: Optional[PopulationSummary] = Field(default=None, description="""An aggregate summary of the subjects.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'medal:population'} })
    countries: Optional[list[str]] = Field(default=None, description="""The countries where the data were acquired, as ISO 3166-1 alpha-2 codes.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingDataset'],
         'is_a': 'country_code',
         'slot_uri': 'dcterms:spatial'} })
    site_count: Optional[int] = Field(default=None, description="""The number of acquisition sites.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'medal:siteCount'} })
    collection_period: Optional[Period] = Field(default=None, description="""When the data were collected.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'dcterms:temporal'} })
    publication_status: Optional[PublicationStatusEnum] = Field(default=None, description="""Whether the data have been published before (MEDAL prefers unpublished data that models cannot have seen).""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingDataset'],
         'slot_uri': 'medal:publicationStatus'} })
    doi: Optional[str] = Field(default=None, description="""The DOI of the published data or publication.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset', 'Publication'], 'slot_uri': 'schema:sameAs'} })
    related_publications: Optional[list[Publication]] = Field(default=None, description="""Publications about or using the dataset.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'dcterms:isReferencedBy'} })
    access_level: AccessLevelEnum = Field(default=..., description="""Who may access the dataset's files.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingDataset'],
         'slot_uri': 'dcterms:accessRights'} })
    license: License = Field(default=..., description="""The dataset's licence.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'dcterms:license'} })
    data_use_conditions: Optional[str] = Field(default=None, description="""Further conditions on use, in plain language.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'dcterms:rights'} })
    consent: Optional[Consent] = Field(default=None, description="""The consent under which the data were collected.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'medal:consent'} })
    ethics_approval: Optional[EthicsApproval] = Field(default=None, description="""The ethics approval covering collection and sharing.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'medal:ethicsApproval'} })
    provenance: Optional[Provenance] = Field(default=None, description="""Where the data come from and who made them.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'prov:qualifiedDerivation'} })
    deidentification: Optional[DeidentificationRecord] = Field(default=None, description="""How the data were de-identified and what the audit found.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'],
         'slot_uri': 'rai:personalSensitiveInformation'} })
    distribution: Optional[list[Distribution]] = Field(default=None, description="""The files and file sets of the dataset.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'dcat:distribution'} })
    record_sets: Optional[list[RecordSetSummary]] = Field(default=None, description="""The dataset's record sets as its Croissant description declares them.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'cr:recordSet'} })
    source_document: Optional[str] = Field(default=None, description="""The file name of the original metadata document the entry was imported from (a Croissant JSON-LD file), kept unchanged by the catalog next to the entry.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'prov:hadPrimarySource'} })
    series: Optional[list[ImagingSeries]] = Field(default=None, description="""Harvested imaging series, each de-identified and audited.""", json_schema_extra = { "linkml_meta": {'domain_of': ['MedalCatalog', 'ImagingDataset'], 'slot_uri': 'dcterms:hasPart'} })
    responsible_ai: Optional[ResponsibleAINotes] = Field(default=None, description="""Responsible-AI notes (biases, limitations, annotation).""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset'], 'slot_uri': 'medal:responsibleAI'} })
    created: Optional[date] = Field(default=None, description="""The date the entry was first created.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'dcterms:created'} })
    modified: Optional[date] = Field(default=None, description="""The date the entry was last changed.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'dcterms:modified'} })
    citation: Optional[str] = Field(default=None, description="""How to cite the entry, as a bibliographic reference or BibTeX.""", json_schema_extra = { "linkml_meta": {'domain_of': ['BenchmarkTask', 'ImagingDataset'],
         'slot_uri': 'schema:citation'} })
    id: str = Field(default=..., description="""The entry's local identifier, unique within its kind.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CatalogEntry', 'PanelDecision', 'HarvestRun'],
         'slot_uri': 'dcterms:identifier'} })
    type: Literal["ImagingDataset"] = Field(default="ImagingDataset", description="""The class of the entry (BenchmarkTask, ImagingDataset, ImagingSeries or ReviewAssessment).""", json_schema_extra = { "linkml_meta": {'designates_type': True, 'domain_of': ['CatalogEntry'], 'slot_uri': 'rdf:type'} })

    @field_validator('countries')
    def pattern_countries(cls, v):
        pattern=re.compile(r"^[A-Z]{2}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid countries format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid countries format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('doi')
    def pattern_doi(cls, v):
        pattern=re.compile(r"^10\.[0-9]{4,9}/[^\s]+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid doi format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid doi format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class ImagingSeries(CatalogEntry):
    """
    One DICOM series as harvested from headers, after the identifying-attribute audit: only technical acquisition attributes and de-identification status, never values that identify a patient, institution or device.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:ImagingSeries',
         'close_mappings': ['schema:ImagingTest'],
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'instance_count': {'name': 'instance_count', 'required': True},
                        'modality': {'name': 'modality', 'required': True},
                        'series_instance_uid': {'name': 'series_instance_uid',
                                                'required': True}}})

    dataset: Optional[str] = Field(default=None, description="""The identifier of the dataset the series belongs to.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingSeries', 'LabelTable'], 'slot_uri': 'dcterms:isPartOf'} })
    study_instance_uid: Optional[str] = Field(default=None, description="""StudyInstanceUID (0020,000D) as found in the de-identified file.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0020,000D)'}},
         'domain_of': ['ImagingSeries'],
         'is_a': 'dicom_uid',
         'slot_uri': 'medal:studyInstanceUID'} })
    series_instance_uid: str = Field(default=..., description="""SeriesInstanceUID (0020,000E) as found in the de-identified file.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0020,000E)'}},
         'domain_of': ['ImagingSeries'],
         'is_a': 'dicom_uid',
         'slot_uri': 'medal:seriesInstanceUID'} })
    series_number: Optional[int] = Field(default=None, description="""SeriesNumber (0020,0011).""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0020,0011)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:seriesNumber'} })
    modality: ModalityEnum = Field(default=..., description="""Modality (0008,0060).""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0008,0060)'},
                         'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:modality'} })
    body_part: Optional[str] = Field(default=None, description="""BodyPartExamined (0018,0015).""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0018,0015)'},
                         'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:bodyPart'} })
    manufacturer: Optional[str] = Field(default=None, description="""Manufacturer (0008,0070) of the equipment (a vendor, not a device identity).""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0008,0070)'},
                         'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:manufacturer'} })
    manufacturer_model_name: Optional[str] = Field(default=None, description="""ManufacturerModelName (0008,1090), the scanner model.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0008,1090)'},
                         'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:model'} })
    magnetic_field_strength: Optional[float] = Field(default=None, description="""MagneticFieldStrength (0018,0087) in tesla.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0018,0087)'},
                         'search': {'tag': 'search', 'value': 'range'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:fieldStrength',
         'unit': {'ucum_code': 'T'}} })
    slice_thickness: Optional[float] = Field(default=None, description="""SliceThickness (0018,0050) in millimetres.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0018,0050)'},
                         'search': {'tag': 'search', 'value': 'range'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:sliceThickness',
         'unit': {'ucum_code': 'mm'}} })
    pixel_spacing: Optional[list[float]] = Field(default=None, description="""PixelSpacing (0028,0030) in millimetres, row spacing then column spacing.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0028,0030)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:pixelSpacing',
         'unit': {'ucum_code': 'mm'}} })
    rows: Optional[int] = Field(default=None, description="""Rows (0028,0010).""", ge=1, json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0028,0010)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:rows'} })
    columns: Optional[int] = Field(default=None, description="""Columns (0028,0011).""", ge=1, json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0028,0011)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:columns'} })
    instance_count: int = Field(default=..., description="""The number of DICOM instances (files or frames objects).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset', 'ImagingSeries'],
         'slot_uri': 'medal:instanceCount'} })
    byte_size: Optional[int] = Field(default=None, description="""The total size in bytes.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset', 'ImagingSeries', 'Distribution'],
         'slot_uri': 'dcat:byteSize'} })
    sop_class_uid: Optional[str] = Field(default=None, description="""SOPClassUID (0008,0016) of the series' instances.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0008,0016)'}},
         'domain_of': ['ImagingSeries'],
         'is_a': 'dicom_uid',
         'slot_uri': 'medal:sopClassUID'} })
    transfer_syntax_uid: Optional[str] = Field(default=None, description="""TransferSyntaxUID (0002,0010) of the series' instances.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0002,0010)'}},
         'domain_of': ['ImagingSeries'],
         'is_a': 'dicom_uid',
         'slot_uri': 'medal:transferSyntaxUID'} })
    image_type: Optional[list[str]] = Field(default=None, description="""ImageType (0008,0008) values, such as ORIGINAL, PRIMARY, M.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0008,0008)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:imageType'} })
    repetition_time: Optional[float] = Field(default=None, description="""RepetitionTime (0018,0080) in milliseconds.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0018,0080)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:repetitionTime',
         'unit': {'ucum_code': 'ms'}} })
    echo_time: Optional[float] = Field(default=None, description="""EchoTime (0018,0081) in milliseconds.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0018,0081)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:echoTime',
         'unit': {'ucum_code': 'ms'}} })
    kvp: Optional[float] = Field(default=None, description="""KVP (0018,0060), peak kilovoltage of the X-ray generator.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0018,0060)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:kvp',
         'unit': {'ucum_code': 'kV'}} })
    convolution_kernel: Optional[str] = Field(default=None, description="""ConvolutionKernel (0018,1210) of CT reconstruction.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0018,1210)'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:convolutionKernel'} })
    series_description: Optional[str] = Field(default=None, description="""SeriesDescription (0008,103E), kept only when the audit found no identifying token in it.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0008,103E)'},
                         'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:seriesDescription'} })
    study_description: Optional[str] = Field(default=None, description="""StudyDescription (0008,1030), kept only when the audit found no identifying token in it.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0008,1030)'},
                         'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:studyDescription'} })
    deidentification_status: Optional[DeidentificationStatusEnum] = Field(default=None, description="""The series' de-identification status after the audit.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['ImagingSeries'],
         'slot_uri': 'medal:deidentificationStatus'} })
    audit_findings_count: Optional[int] = Field(default=None, description="""The number of identifying attributes the audit flagged in the series (summed over its files).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingSeries'], 'slot_uri': 'medal:auditFindingsCount'} })
    id: str = Field(default=..., description="""The entry's local identifier, unique within its kind.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CatalogEntry', 'PanelDecision', 'HarvestRun'],
         'slot_uri': 'dcterms:identifier'} })
    type: Literal["ImagingSeries"] = Field(default="ImagingSeries", description="""The class of the entry (BenchmarkTask, ImagingDataset, ImagingSeries or ReviewAssessment).""", json_schema_extra = { "linkml_meta": {'designates_type': True, 'domain_of': ['CatalogEntry'], 'slot_uri': 'rdf:type'} })

    @field_validator('study_instance_uid')
    def pattern_study_instance_uid(cls, v):
        pattern=re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid study_instance_uid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid study_instance_uid format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('series_instance_uid')
    def pattern_series_instance_uid(cls, v):
        pattern=re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid series_instance_uid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid series_instance_uid format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('sop_class_uid')
    def pattern_sop_class_uid(cls, v):
        pattern=re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid sop_class_uid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid sop_class_uid format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('transfer_syntax_uid')
    def pattern_transfer_syntax_uid(cls, v):
        pattern=re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid transfer_syntax_uid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid transfer_syntax_uid format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class ReviewAssessment(CatalogEntry):
    """
    One expert panel member's assessment of a submitted task: five-point scores, a recommendation, comments and a conflict-of-interest declaration.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:ReviewAssessment',
         'exact_mappings': ['schema:Review'],
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'clinical_relevance_score': {'name': 'clinical_relevance_score',
                                                     'required': True},
                        'conflict_of_interest': {'name': 'conflict_of_interest',
                                                 'required': True},
                        'patient_impact_score': {'name': 'patient_impact_score',
                                                 'required': True},
                        'recommendation': {'name': 'recommendation', 'required': True},
                        'review_date': {'name': 'review_date', 'required': True},
                        'reviewer': {'name': 'reviewer', 'required': True},
                        'task': {'name': 'task', 'required': True},
                        'unmet_need_score': {'name': 'unmet_need_score',
                                             'required': True}}})

    task: str = Field(default=..., description="""The identifier of the task reviewed.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment', 'PanelDecision'],
         'slot_uri': 'schema:itemReviewed'} })
    reviewer: Person = Field(default=..., description="""The panel member who wrote the assessment.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'], 'slot_uri': 'schema:author'} })
    review_date: date = Field(default=..., description="""The date of the assessment.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'], 'slot_uri': 'schema:dateCreated'} })
    clinical_relevance_score: int = Field(default=..., description="""How clinically relevant the question is (1-5).""", ge=1, le=5, json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'],
         'is_a': 'score',
         'slot_uri': 'medal:clinicalRelevanceScore'} })
    unmet_need_score: int = Field(default=..., description="""How large the unmet need is (1-5).""", ge=1, le=5, json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'],
         'is_a': 'score',
         'slot_uri': 'medal:unmetNeedScore'} })
    patient_impact_score: int = Field(default=..., description="""How much patients would gain (1-5).""", ge=1, le=5, json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'],
         'is_a': 'score',
         'slot_uri': 'medal:patientImpactScore'} })
    feasibility_score: Optional[int] = Field(default=None, description="""How feasible the task is with the data provided (1-5).""", ge=1, le=5, json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'],
         'is_a': 'score',
         'slot_uri': 'medal:feasibilityScore'} })
    data_quality_score: Optional[int] = Field(default=None, description="""The quality of data and reference standard (1-5).""", ge=1, le=5, json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'],
         'is_a': 'score',
         'slot_uri': 'medal:dataQualityScore'} })
    recommendation: RecommendationEnum = Field(default=..., description="""The reviewer's recommendation.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'], 'slot_uri': 'medal:recommendation'} })
    comments: Optional[str] = Field(default=None, description="""The reviewer's comments to the submitter and panel.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'], 'slot_uri': 'schema:reviewBody'} })
    conflict_of_interest: bool = Field(default=..., description="""True when the reviewer declares a conflict of interest.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'], 'slot_uri': 'medal:conflictOfInterest'} })
    conflict_of_interest_statement: Optional[str] = Field(default=None, description="""The reviewer's statement of the conflict, when there is one.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment'],
         'slot_uri': 'medal:conflictOfInterestStatement'} })
    id: str = Field(default=..., description="""The entry's local identifier, unique within its kind.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CatalogEntry', 'PanelDecision', 'HarvestRun'],
         'slot_uri': 'dcterms:identifier'} })
    type: Literal["ReviewAssessment"] = Field(default="ReviewAssessment", description="""The class of the entry (BenchmarkTask, ImagingDataset, ImagingSeries or ReviewAssessment).""", json_schema_extra = { "linkml_meta": {'designates_type': True, 'domain_of': ['CatalogEntry'], 'slot_uri': 'rdf:type'} })

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class PanelDecision(ConfiguredBaseModel):
    """
    The panel chair's recorded decision on a task (accept or reject) with its reason, as kept in a file of the panel's records. It is not an entry: a harvest replays it once, through the same rules as an API decision (enough reviews without a conflict of interest), and never over a decision the catalog recorded later.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:PanelDecision',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'decided_by': {'name': 'decided_by', 'required': True},
                        'decision': {'name': 'decision', 'required': True},
                        'decision_reason': {'name': 'decision_reason',
                                            'required': True},
                        'id': {'name': 'id', 'required': True},
                        'task': {'description': 'The identifier of the task decided '
                                                'on.',
                                 'name': 'task',
                                 'required': True}}})

    id: str = Field(default=..., description="""The entry's local identifier, unique within its kind.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CatalogEntry', 'PanelDecision', 'HarvestRun'],
         'slot_uri': 'dcterms:identifier'} })
    task: str = Field(default=..., description="""The identifier of the task decided on.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReviewAssessment', 'PanelDecision'],
         'slot_uri': 'schema:itemReviewed'} })
    decision: DecisionEnum = Field(default=..., description="""What the panel decided.""", json_schema_extra = { "linkml_meta": {'domain_of': ['PanelDecision'], 'slot_uri': 'medal:decision'} })
    decision_reason: str = Field(default=..., description="""Why the panel decided so; must not identify a patient.""", json_schema_extra = { "linkml_meta": {'domain_of': ['PanelDecision'], 'slot_uri': 'medal:decisionReason'} })
    decided_by: Person = Field(default=..., description="""The panel chair who recorded the decision.""", json_schema_extra = { "linkml_meta": {'domain_of': ['PanelDecision'], 'slot_uri': 'schema:author'} })
    decision_date: Optional[date] = Field(default=None, description="""The date of the decision.""", json_schema_extra = { "linkml_meta": {'domain_of': ['PanelDecision'], 'slot_uri': 'dcterms:date'} })

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class CodedConcept(ConfiguredBaseModel):
    """
    A term from a code system (SNOMED CT, ICD-10, MONDO, RadLex, UBERON, NCIt) with its human label.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'schema:DefinedTerm',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'code': {'name': 'code', 'required': True},
                        'code_system': {'name': 'code_system', 'required': True},
                        'label': {'name': 'label', 'required': True}}})

    code_system: CodeSystemEnum = Field(default=..., description="""The code system the code comes from.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CodedConcept'], 'slot_uri': 'schema:inDefinedTermSet'} })
    code: str = Field(default=..., description="""The code within its code system, such as 427359005 in SNOMED CT.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CodedConcept'], 'slot_uri': 'schema:termCode'} })
    label: str = Field(default=..., description="""The human-readable label of the code.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['CodedConcept'],
         'slot_uri': 'schema:name'} })


class DataSpecification(ConfiguredBaseModel):
    """
    What a model receives as input or must produce as output for a task.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:DataSpecification',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'description': {'name': 'description', 'required': True}}})

    description: str = Field(default=..., description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    data_kind: Optional[str] = Field(default=None, description="""The kind of data, such as \"3D CT volume\", \"binary label\", \"segmentation mask\" or \"free-text report\".""", json_schema_extra = { "linkml_meta": {'domain_of': ['DataSpecification'], 'slot_uri': 'medal:dataKind'} })
    media_types: Optional[list[str]] = Field(default=None, description="""IANA media types of the data, such as application/dicom or text/csv.""", json_schema_extra = { "linkml_meta": {'domain_of': ['DataSpecification'], 'slot_uri': 'dcat:mediaType'} })
    shape: Optional[str] = Field(default=None, description="""The shape or structure of the data, such as \"one label per study\" or \"H x W x D voxel mask\".""", json_schema_extra = { "linkml_meta": {'domain_of': ['DataSpecification'], 'slot_uri': 'medal:shape'} })


class ReferenceStandard(ConfiguredBaseModel):
    """
    How the ground truth of a task was established, and by whom.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:ReferenceStandard',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'method': {'name': 'method', 'required': True}}})

    method: ReferenceStandardMethodEnum = Field(default=..., description="""The method by which the ground truth was established.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReferenceStandard'], 'slot_uri': 'medal:referenceMethod'} })
    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    reader_count: Optional[int] = Field(default=None, description="""How many readers labelled each case.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ReferenceStandard'], 'slot_uri': 'medal:readerCount'} })
    reader_expertise: Optional[str] = Field(default=None, description="""The readers' expertise, such as \"board-certified thoracic radiologists\".""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReferenceStandard'], 'slot_uri': 'medal:readerExpertise'} })
    reader_min_experience_years: Optional[int] = Field(default=None, description="""The minimum years of post-training experience among the readers.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ReferenceStandard'],
         'slot_uri': 'medal:readerMinExperienceYears'} })
    adjudication: Optional[str] = Field(default=None, description="""How disagreements between readers were resolved.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ReferenceStandard'], 'slot_uri': 'medal:adjudication'} })


class EvaluationMetric(ConfiguredBaseModel):
    """
    A metric by which model answers are scored, with its definition and whether it is primary.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:EvaluationMetric',
         'exact_mappings': ['STATO:0000039'],
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'name': {'name': 'name', 'required': True},
                        'role': {'name': 'role', 'required': True}}})

    name: str = Field(default=..., description="""A human-readable name.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric',
                       'DataSplit',
                       'Person',
                       'Organization',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'schema:name'} })
    metric: Optional[MetricEnum] = Field(default=None, description="""The metric's code in the catalog's vocabulary (Metrics Reloaded names): the catalog computes coded metrics; a metric known only by its free-text name is reported but not computed.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric'], 'slot_uri': 'medal:metric'} })
    definition: Optional[str] = Field(default=None, description="""A precise definition of the metric, including averaging and thresholds.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric'], 'slot_uri': 'skos:definition'} })
    role: MetricRoleEnum = Field(default=..., description="""Whether a metric is primary (ranks submissions) or secondary.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric'], 'slot_uri': 'medal:metricRole'} })
    higher_is_better: Optional[bool] = Field(default=None, description="""True when larger values of the metric are better.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric'], 'slot_uri': 'medal:higherIsBetter'} })


class DataSplit(ConfiguredBaseModel):
    """
    A named part of a task's cases (training, validation, test, hidden test) and whether its labels are hidden.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'cr:Split',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'labels_hidden': {'name': 'labels_hidden', 'required': True},
                        'name': {'name': 'name', 'required': True}}})

    name: str = Field(default=..., description="""A human-readable name.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric',
                       'DataSplit',
                       'Person',
                       'Organization',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'schema:name'} })
    size: Optional[int] = Field(default=None, description="""The number of cases in the split.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['DataSplit'], 'slot_uri': 'medal:caseCount'} })
    labels_hidden: bool = Field(default=..., description="""True when the split's labels are withheld from participants (a hidden test set).""", json_schema_extra = { "linkml_meta": {'domain_of': ['DataSplit'], 'slot_uri': 'medal:labelsHidden'} })
    labels_published: Optional[bool] = Field(default=None, description="""True when the split's labels have been published anywhere.""", json_schema_extra = { "linkml_meta": {'domain_of': ['DataSplit'], 'slot_uri': 'medal:labelsPublished'} })


class NumericRange(ConfiguredBaseModel):
    """
    An inclusive range of a numeric quantity observed in a dataset.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:NumericRange',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'maximum': {'name': 'maximum', 'required': True},
                        'minimum': {'name': 'minimum', 'required': True}}})

    minimum: float = Field(default=..., description="""The smallest value (inclusive).""", json_schema_extra = { "linkml_meta": {'domain_of': ['NumericRange', 'AgeBin'], 'slot_uri': 'schema:minValue'} })
    maximum: float = Field(default=..., description="""The largest value (inclusive).""", json_schema_extra = { "linkml_meta": {'domain_of': ['NumericRange', 'AgeBin'], 'slot_uri': 'schema:maxValue'} })


class AcquisitionSummary(ConfiguredBaseModel):
    """
    An aggregate summary of how a dataset's images were acquired, computed from the harvested series.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:AcquisitionSummary',
         'from_schema': 'https://w3id.org/medal/schema'})

    manufacturers: Optional[list[str]] = Field(default=None, description="""Distinct scanner manufacturers, as written in Manufacturer (0008,0070).""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['AcquisitionSummary'],
         'slot_uri': 'medal:manufacturer'} })
    models: Optional[list[str]] = Field(default=None, description="""Distinct scanner models, as written in ManufacturerModelName (0008,1090).""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['AcquisitionSummary'],
         'slot_uri': 'medal:model'} })
    field_strengths: Optional[list[float]] = Field(default=None, description="""Distinct MR field strengths in tesla.""", json_schema_extra = { "linkml_meta": {'domain_of': ['AcquisitionSummary'],
         'slot_uri': 'medal:fieldStrength',
         'unit': {'ucum_code': 'T'}} })
    slice_thickness_range: Optional[NumericRange] = Field(default=None, description="""The range of slice thickness in millimetres.""", json_schema_extra = { "linkml_meta": {'domain_of': ['AcquisitionSummary'], 'slot_uri': 'medal:sliceThicknessRange'} })
    pixel_spacing_range: Optional[NumericRange] = Field(default=None, description="""The range of in-plane pixel spacing in millimetres.""", json_schema_extra = { "linkml_meta": {'domain_of': ['AcquisitionSummary'], 'slot_uri': 'medal:pixelSpacingRange'} })


class PopulationSummary(ConfiguredBaseModel):
    """
    An aggregate description of the subjects, never per-subject values: counts by sex and ages as a range or bins.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:PopulationSummary',
         'from_schema': 'https://w3id.org/medal/schema'})

    sex_counts: Optional[SexCounts] = Field(default=None, description="""Subjects counted by sex.""", json_schema_extra = { "linkml_meta": {'domain_of': ['PopulationSummary'], 'slot_uri': 'medal:sexCounts'} })
    age_range: Optional[NumericRange] = Field(default=None, description="""The range of subject ages in years.""", json_schema_extra = { "linkml_meta": {'domain_of': ['PopulationSummary'], 'slot_uri': 'medal:ageRange'} })
    age_bins: Optional[list[AgeBin]] = Field(default=None, description="""Subjects counted by age bin, in years.""", json_schema_extra = { "linkml_meta": {'domain_of': ['PopulationSummary'], 'slot_uri': 'medal:ageBin'} })


class SexCounts(ConfiguredBaseModel):
    """
    The number of subjects by sex as recorded in PatientSex (0010,0040).
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:SexCounts', 'from_schema': 'https://w3id.org/medal/schema'})

    female: Optional[int] = Field(default=None, description="""The number of female subjects (PatientSex F).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['SexCounts'], 'slot_uri': 'medal:femaleCount'} })
    male: Optional[int] = Field(default=None, description="""The number of male subjects (PatientSex M).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['SexCounts'], 'slot_uri': 'medal:maleCount'} })
    other: Optional[int] = Field(default=None, description="""The number of subjects recorded as other (PatientSex O).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['SexCounts'], 'slot_uri': 'medal:otherSexCount'} })
    unknown: Optional[int] = Field(default=None, description="""The number of subjects whose sex is not recorded.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['SexCounts'], 'slot_uri': 'medal:unknownSexCount'} })


class AgeBin(ConfiguredBaseModel):
    """
    The number of subjects whose age at acquisition falls within an inclusive range of years.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:AgeBin',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'count': {'name': 'count', 'required': True},
                        'maximum': {'name': 'maximum', 'required': True},
                        'minimum': {'name': 'minimum', 'required': True}}})

    minimum: float = Field(default=..., description="""The smallest value (inclusive).""", json_schema_extra = { "linkml_meta": {'domain_of': ['NumericRange', 'AgeBin'], 'slot_uri': 'schema:minValue'} })
    maximum: float = Field(default=..., description="""The largest value (inclusive).""", json_schema_extra = { "linkml_meta": {'domain_of': ['NumericRange', 'AgeBin'], 'slot_uri': 'schema:maxValue'} })
    count: int = Field(default=..., description="""A number of items.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['AgeBin', 'AuditFinding'], 'slot_uri': 'medal:count'} })


class Period(ConfiguredBaseModel):
    """
    A period of time with an optional start and end date.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'dcterms:PeriodOfTime',
         'from_schema': 'https://w3id.org/medal/schema'})

    start_date: Optional[date] = Field(default=None, description="""The first day of the period.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Period'], 'slot_uri': 'dcat:startDate'} })
    end_date: Optional[date] = Field(default=None, description="""The last day of the period.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Period'], 'slot_uri': 'dcat:endDate'} })


class Publication(ConfiguredBaseModel):
    """
    A publication about, or using, a dataset.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'schema:ScholarlyArticle',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'doi': {'name': 'doi', 'required': True}}})

    doi: str = Field(default=..., description="""The DOI of the published data or publication.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset', 'Publication'], 'slot_uri': 'schema:sameAs'} })
    title: Optional[str] = Field(default=None, description="""A short human-readable title.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask', 'ImagingDataset', 'Publication'],
         'slot_uri': 'dcterms:title'} })
    describes_this_data: Optional[bool] = Field(default=None, description="""True when the publication releases or describes these very images (not just the same population).""", json_schema_extra = { "linkml_meta": {'domain_of': ['Publication'], 'slot_uri': 'medal:describesThisData'} })

    @field_validator('doi')
    def pattern_doi(cls, v):
        pattern=re.compile(r"^10\.[0-9]{4,9}/[^\s]+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid doi format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid doi format: {v}"
            raise ValueError(err_msg)
        return v


class Consent(ConfiguredBaseModel):
    """
    The consent under which the data were collected and the use it permits, expressed with the Data Use Ontology (one DUO permission and any number of DUO modifiers).
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:Consent',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'consent_type': {'name': 'consent_type', 'required': True},
                        'duo_permission': {'name': 'duo_permission', 'required': True}}})

    consent_type: ConsentTypeEnum = Field(default=..., description="""The kind of consent.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Consent'], 'slot_uri': 'medal:consentType'} })
    duo_permission: DuoPermissionEnum = Field(default=..., description="""The DUO data-use permission.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Consent'], 'slot_uri': 'medal:duoPermission'} })
    duo_modifiers: Optional[list[DuoModifierEnum]] = Field(default=None, description="""DUO data-use modifiers restricting the permission.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Consent'], 'slot_uri': 'medal:duoModifier'} })
    allows_algorithm_development: Optional[bool] = Field(default=None, description="""False when the consent excludes developing or evaluating algorithms with the data.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Consent'], 'slot_uri': 'medal:allowsAlgorithmDevelopment'} })
    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })


class EthicsApproval(ConfiguredBaseModel):
    """
    The approval of the research ethics committee or institutional review board that oversaw collection.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:EthicsApproval',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'committee': {'name': 'committee', 'required': True},
                        'reference': {'name': 'reference', 'required': True}}})

    committee: str = Field(default=..., description="""The name of the ethics committee or IRB.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EthicsApproval'], 'slot_uri': 'medal:committee'} })
    reference: str = Field(default=..., description="""The committee's reference number for the approval.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EthicsApproval'], 'slot_uri': 'medal:approvalReference'} })
    approval_date: Optional[date] = Field(default=None, description="""The date of the approval.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EthicsApproval'], 'slot_uri': 'dcterms:dateAccepted'} })
    country: Optional[str] = Field(default=None, description="""An ISO 3166-1 alpha-2 country code.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EthicsApproval', 'Organization'],
         'is_a': 'country_code',
         'slot_uri': 'schema:addressCountry'} })

    @field_validator('country')
    def pattern_country(cls, v):
        pattern=re.compile(r"^[A-Z]{2}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid country format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid country format: {v}"
            raise ValueError(err_msg)
        return v


class License(ConfiguredBaseModel):
    """
    The licence of a dataset by SPDX identifier, and whether a data use agreement must be signed.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'dcterms:LicenseDocument',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'spdx_id': {'name': 'spdx_id', 'required': True}}})

    spdx_id: str = Field(default=..., description="""The SPDX licence identifier, such as CC-BY-4.0, or LicenseRef-<name> for a custom licence.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'facet'}},
         'domain_of': ['License'],
         'slot_uri': 'spdx:licenseId'} })
    url: Optional[str] = Field(default=None, description="""A web address.""", json_schema_extra = { "linkml_meta": {'domain_of': ['License', 'Organization', 'Distribution'],
         'slot_uri': 'schema:url'} })
    dua_required: Optional[bool] = Field(default=None, description="""True when a data use agreement must be signed before access.""", json_schema_extra = { "linkml_meta": {'domain_of': ['License'], 'slot_uri': 'medal:duaRequired'} })
    dua_url: Optional[str] = Field(default=None, description="""Where the data use agreement can be read.""", json_schema_extra = { "linkml_meta": {'domain_of': ['License'], 'slot_uri': 'medal:duaUrl'} })


class Provenance(ConfiguredBaseModel):
    """
    Where a dataset comes from and who made it; PROV-O terms.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'prov:Entity', 'from_schema': 'https://w3id.org/medal/schema'})

    contributors: Optional[list[Person]] = Field(default=None, description="""People who contributed to the data.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Provenance'], 'slot_uri': 'prov:wasAttributedTo'} })
    organizations: Optional[list[Organization]] = Field(default=None, description="""Organisations that contributed the data.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Provenance'], 'slot_uri': 'dcterms:publisher'} })
    derived_from: Optional[list[str]] = Field(default=None, description="""URLs or identifiers of sources the data were derived from.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Provenance'], 'slot_uri': 'prov:wasDerivedFrom'} })
    collection_activity: Optional[CollectionActivity] = Field(default=None, description="""The activity that collected the images.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Provenance'], 'slot_uri': 'prov:wasGeneratedBy'} })
    harvest_runs: Optional[list[HarvestRun]] = Field(default=None, description="""The harvester runs that produced this metadata.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Provenance'], 'slot_uri': 'medal:harvestRun'} })


class CollectionActivity(ConfiguredBaseModel):
    """
    The activity that collected the original images, with its PROV-O times.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'prov:Activity', 'from_schema': 'https://w3id.org/medal/schema'})

    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    started_at: Optional[datetime ] = Field(default=None, description="""When the activity started.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CollectionActivity', 'HarvestRun'],
         'slot_uri': 'prov:startedAtTime'} })
    ended_at: Optional[datetime ] = Field(default=None, description="""When the activity ended.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CollectionActivity', 'HarvestRun'],
         'slot_uri': 'prov:endedAtTime'} })


class HarvestRun(ConfiguredBaseModel):
    """
    One run of a MEDAL harvester that produced or updated catalog metadata from a source.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:HarvestRun',
         'exact_mappings': ['prov:Activity'],
         'from_schema': 'https://w3id.org/medal/schema'})

    id: str = Field(default=..., description="""The entry's local identifier, unique within its kind.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CatalogEntry', 'PanelDecision', 'HarvestRun'],
         'slot_uri': 'dcterms:identifier'} })
    started_at: Optional[datetime ] = Field(default=None, description="""When the activity started.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CollectionActivity', 'HarvestRun'],
         'slot_uri': 'prov:startedAtTime'} })
    ended_at: Optional[datetime ] = Field(default=None, description="""When the activity ended.""", json_schema_extra = { "linkml_meta": {'domain_of': ['CollectionActivity', 'HarvestRun'],
         'slot_uri': 'prov:endedAtTime'} })
    tool: Optional[str] = Field(default=None, description="""The name of the software used.""", json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun', 'DeidentificationRecord'],
         'slot_uri': 'prov:wasAssociatedWith'} })
    tool_version: Optional[str] = Field(default=None, description="""The version of the software used.""", json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun', 'DeidentificationRecord'],
         'slot_uri': 'schema:softwareVersion'} })
    source_kind: Optional[SourceKindEnum] = Field(default=None, description="""The kind of source harvested.""", json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun'], 'slot_uri': 'medal:sourceKind'} })
    files_seen: Optional[int] = Field(default=None, description="""The number of files the run looked at.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun'], 'slot_uri': 'medal:filesSeen'} })
    files_read: Optional[int] = Field(default=None, description="""The number of files the run read successfully.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun'], 'slot_uri': 'medal:filesRead'} })
    files_skipped: Optional[int] = Field(default=None, description="""The number of files the run skipped (not DICOM, unreadable, corrupt).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun'], 'slot_uri': 'medal:filesSkipped'} })

    @field_validator('id')
    def pattern_id(cls, v):
        pattern=re.compile(r"^[a-z0-9][a-z0-9._-]{1,127}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid id format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid id format: {v}"
            raise ValueError(err_msg)
        return v


class Person(ConfiguredBaseModel):
    """
    A person who contributed to, submitted or reviewed an entry (never a patient).
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'schema:Person',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'name': {'name': 'name', 'required': True}}})

    name: str = Field(default=..., description="""A human-readable name.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric',
                       'DataSplit',
                       'Person',
                       'Organization',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'schema:name'} })
    orcid: Optional[str] = Field(default=None, description="""The person's ORCID iD.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Person'], 'slot_uri': 'schema:identifier'} })
    email: Optional[str] = Field(default=None, description="""A contact e-mail address of a contributor (never of a patient).""", json_schema_extra = { "linkml_meta": {'domain_of': ['Person'], 'slot_uri': 'schema:email'} })
    affiliation: Optional[Organization] = Field(default=None, description="""The organisation the person works for.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Person'], 'slot_uri': 'schema:affiliation'} })
    roles: Optional[list[ContributorRoleEnum]] = Field(default=None, description="""The parts the person played.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Person'], 'slot_uri': 'medal:contributorRole'} })

    @field_validator('orcid')
    def pattern_orcid(cls, v):
        pattern=re.compile(r"^https://orcid\.org/[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid orcid format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid orcid format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('email')
    def pattern_email(cls, v):
        pattern=re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid email format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid email format: {v}"
            raise ValueError(err_msg)
        return v


class Organization(ConfiguredBaseModel):
    """
    An organisation such as a hospital, university or company, identified by ROR where possible.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'schema:Organization',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'name': {'name': 'name', 'required': True}}})

    name: str = Field(default=..., description="""A human-readable name.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric',
                       'DataSplit',
                       'Person',
                       'Organization',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'schema:name'} })
    ror: Optional[str] = Field(default=None, description="""The organisation's ROR identifier.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Organization'], 'slot_uri': 'schema:identifier'} })
    country: Optional[str] = Field(default=None, description="""An ISO 3166-1 alpha-2 country code.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EthicsApproval', 'Organization'],
         'is_a': 'country_code',
         'slot_uri': 'schema:addressCountry'} })
    url: Optional[str] = Field(default=None, description="""A web address.""", json_schema_extra = { "linkml_meta": {'domain_of': ['License', 'Organization', 'Distribution'],
         'slot_uri': 'schema:url'} })

    @field_validator('ror')
    def pattern_ror(cls, v):
        pattern=re.compile(r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid ror format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid ror format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('country')
    def pattern_country(cls, v):
        pattern=re.compile(r"^[A-Z]{2}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid country format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid country format: {v}"
            raise ValueError(err_msg)
        return v


class DeidentificationRecord(ConfiguredBaseModel):
    """
    How a dataset was de-identified (DICOM PS3.15 Annex E profile and options, CID 7050) and what the catalog's own audit of the headers found; counts only, never values.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:DeidentificationRecord',
         'from_schema': 'https://w3id.org/medal/schema'})

    patient_identity_removed: Optional[bool] = Field(default=None, description="""The declared value of PatientIdentityRemoved (0012,0062).""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0012,0062)'}},
         'domain_of': ['DeidentificationRecord'],
         'slot_uri': 'medal:patientIdentityRemoved'} })
    deidentification_method: Optional[str] = Field(default=None, description="""The declared DeidentificationMethod (0012,0063), such as the tool and profile used.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0012,0063)'}},
         'domain_of': ['DeidentificationRecord'],
         'slot_uri': 'medal:deidentificationMethod'} })
    profile_options: Optional[list[DeidentificationOptionEnum]] = Field(default=None, description="""The Annex E profile and options applied (CID 7050), from DeidentificationMethodCodeSequence (0012,0064).""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0012,0064)'}},
         'domain_of': ['DeidentificationRecord'],
         'slot_uri': 'medal:deidentificationOption'} })
    tool: Optional[str] = Field(default=None, description="""The name of the software used.""", json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun', 'DeidentificationRecord'],
         'slot_uri': 'prov:wasAssociatedWith'} })
    tool_version: Optional[str] = Field(default=None, description="""The version of the software used.""", json_schema_extra = { "linkml_meta": {'domain_of': ['HarvestRun', 'DeidentificationRecord'],
         'slot_uri': 'schema:softwareVersion'} })
    burned_in_annotation: Optional[BurnedInAnnotationEnum] = Field(default=None, description="""Whether pixel data may carry burned-in text (0028,0301), as declared or found.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0028,0301)'}},
         'domain_of': ['DeidentificationRecord'],
         'slot_uri': 'medal:burnedInAnnotation'} })
    longitudinal_temporal_information_modified: Optional[str] = Field(default=None, description="""The declared LongitudinalTemporalInformationModified (0028,0303), such as MODIFIED, UNMODIFIED or REMOVED.""", json_schema_extra = { "linkml_meta": {'annotations': {'dicom_tag': {'tag': 'dicom_tag', 'value': '(0028,0303)'}},
         'domain_of': ['DeidentificationRecord'],
         'slot_uri': 'medal:longitudinalTemporalInformationModified'} })
    deidentification_date: Optional[date] = Field(default=None, description="""The date the files were de-identified (as `medal deidentify` writes it).""", json_schema_extra = { "linkml_meta": {'domain_of': ['DeidentificationRecord'], 'slot_uri': 'prov:endedAtTime'} })
    audit: Optional[AuditSummary] = Field(default=None, description="""The result of the catalog's identifying-attribute audit.""", json_schema_extra = { "linkml_meta": {'domain_of': ['DeidentificationRecord'], 'slot_uri': 'medal:audit'} })


class AuditSummary(ConfiguredBaseModel):
    """
    The result of the identifying-attribute audit over all files of a dataset.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:AuditSummary',
         'from_schema': 'https://w3id.org/medal/schema'})

    files_audited: Optional[int] = Field(default=None, description="""The number of files audited.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['AuditSummary'], 'slot_uri': 'medal:filesAudited'} })
    files_with_findings: Optional[int] = Field(default=None, description="""The number of files with at least one finding.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['AuditSummary'], 'slot_uri': 'medal:filesWithFindings'} })
    findings: Optional[list[AuditFinding]] = Field(default=None, description="""Findings by attribute.""", json_schema_extra = { "linkml_meta": {'domain_of': ['AuditSummary'], 'slot_uri': 'medal:finding'} })


class AuditFinding(ConfiguredBaseModel):
    """
    How many files carried one identifying attribute that Annex E removes or replaces (the value is never kept).
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:AuditFinding',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'attribute': {'name': 'attribute', 'required': True},
                        'count': {'name': 'count', 'required': True}}})

    attribute: str = Field(default=..., description="""The DICOM keyword of the flagged attribute, or a category such as PrivateTag or BurnedInAnnotation.""", json_schema_extra = { "linkml_meta": {'domain_of': ['AuditFinding'], 'slot_uri': 'medal:attribute'} })
    tag: Optional[str] = Field(default=None, description="""The DICOM tag of the flagged attribute, written (gggg,eeee).""", json_schema_extra = { "linkml_meta": {'domain_of': ['AuditFinding'], 'slot_uri': 'medal:tag'} })
    count: int = Field(default=..., description="""A number of items.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['AgeBin', 'AuditFinding'], 'slot_uri': 'medal:count'} })
    series_count_flagged: Optional[int] = Field(default=None, description="""The number of series in which the attribute was flagged.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['AuditFinding'], 'slot_uri': 'medal:seriesCountFlagged'} })

    @field_validator('tag')
    def pattern_tag(cls, v):
        pattern=re.compile(r"^\([0-9A-Fx]{4},[0-9A-Fx]{4}\)$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid tag format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid tag format: {v}"
            raise ValueError(err_msg)
        return v


class Distribution(ConfiguredBaseModel):
    """
    A file or a set of files of a dataset, with where to find it and how to check it.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'dcat:Distribution',
         'exact_mappings': ['cr:FileObject', 'cr:FileSet'],
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'distribution_kind': {'name': 'distribution_kind',
                                              'required': True},
                        'media_type': {'name': 'media_type', 'required': True},
                        'name': {'name': 'name', 'required': True}}})

    name: str = Field(default=..., description="""A human-readable name.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric',
                       'DataSplit',
                       'Person',
                       'Organization',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'schema:name'} })
    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    distribution_kind: DistributionKindEnum = Field(default=..., description="""Whether the distribution is a single file or a set of files.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'medal:distributionKind'} })
    distribution_role: Optional[DistributionRoleEnum] = Field(default=None, description="""What the file or file set holds for the dataset (images, labels, a clinical table, an archive).""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'medal:distributionRole'} })
    path: Optional[str] = Field(default=None, description="""A path relative to the submission folder.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'medal:path'} })
    url: Optional[str] = Field(default=None, description="""A web address.""", json_schema_extra = { "linkml_meta": {'domain_of': ['License', 'Organization', 'Distribution'],
         'slot_uri': 'schema:url'} })
    media_type: str = Field(default=..., description="""The IANA media type, such as application/dicom, text/csv or application/x-parquet.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'dcat:mediaType'} })
    includes: Optional[str] = Field(default=None, description="""For a file set, the glob pattern of the files it includes, such as \"dicom/**/*.dcm\".""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'cr:includes'} })
    contained_in: Optional[str] = Field(default=None, description="""The name of the distribution (an archive) this file or file set is extracted from.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'cr:containedIn'} })
    byte_size: Optional[int] = Field(default=None, description="""The total size in bytes.""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingDataset', 'ImagingSeries', 'Distribution'],
         'slot_uri': 'dcat:byteSize'} })
    sha256: Optional[str] = Field(default=None, description="""The SHA-256 digest of the file.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'cr:sha256'} })
    md5: Optional[str] = Field(default=None, description="""The MD5 digest of the file, as some Croissant files give it instead of a SHA-256.""", json_schema_extra = { "linkml_meta": {'domain_of': ['Distribution'], 'slot_uri': 'cr:md5'} })

    @field_validator('sha256')
    def pattern_sha256(cls, v):
        pattern=re.compile(r"^[0-9a-f]{64}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid sha256 format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid sha256 format: {v}"
            raise ValueError(err_msg)
        return v

    @field_validator('md5')
    def pattern_md5(cls, v):
        pattern=re.compile(r"^[0-9a-f]{32}$")
        if isinstance(v, list):
            for element in v:
                if isinstance(element, str) and not pattern.search(element):
                    err_msg = f"Invalid md5 format: {element}"
                    raise ValueError(err_msg)
        elif isinstance(v, str) and not pattern.search(v):
            err_msg = f"Invalid md5 format: {v}"
            raise ValueError(err_msg)
        return v


class RecordSetSummary(ConfiguredBaseModel):
    """
    A record set of a dataset as its Croissant description declares it (its name, key and typed fields), kept so that the dataset's structure is searchable; the original record set definitions are kept with the dataset.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'cr:RecordSet',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'name': {'name': 'name', 'required': True}}})

    name: str = Field(default=..., description="""A human-readable name.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric',
                       'DataSplit',
                       'Person',
                       'Organization',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'schema:name'} })
    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    key_fields: Optional[list[str]] = Field(default=None, description="""The names of the fields that together identify a record.""", json_schema_extra = { "linkml_meta": {'domain_of': ['RecordSetSummary'], 'slot_uri': 'cr:key'} })
    fields: Optional[list[RecordField]] = Field(default=None, description="""The fields of a record set.""", json_schema_extra = { "linkml_meta": {'domain_of': ['RecordSetSummary'], 'slot_uri': 'cr:field'} })


class RecordField(ConfiguredBaseModel):
    """
    A field of a record set, with its data types and the field it references (a join key).
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'cr:Field',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'name': {'name': 'name', 'required': True}}})

    name: str = Field(default=..., description="""A human-readable name.""", json_schema_extra = { "linkml_meta": {'domain_of': ['EvaluationMetric',
                       'DataSplit',
                       'Person',
                       'Organization',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'schema:name'} })
    description: Optional[str] = Field(default=None, description="""A free-text account; must not contain anything that identifies a patient.""", json_schema_extra = { "linkml_meta": {'annotations': {'search': {'tag': 'search', 'value': 'fulltext'}},
         'domain_of': ['BenchmarkTask',
                       'ImagingDataset',
                       'DataSpecification',
                       'ReferenceStandard',
                       'Consent',
                       'CollectionActivity',
                       'Distribution',
                       'RecordSetSummary',
                       'RecordField'],
         'slot_uri': 'dcterms:description'} })
    data_types: Optional[list[str]] = Field(default=None, description="""The data types of a field, as Croissant or schema.org type CURIEs (sc:Text, sc:Integer, cr:Split).""", json_schema_extra = { "linkml_meta": {'domain_of': ['RecordField'], 'slot_uri': 'cr:dataType'} })
    references: Optional[str] = Field(default=None, description="""The field (record set/field) whose values this field's values refer to, for joins.""", json_schema_extra = { "linkml_meta": {'domain_of': ['RecordField'], 'slot_uri': 'cr:references'} })


class ProblemFingerprint(ConfiguredBaseModel):
    """
    What decides which metrics fit a task, after Metrics Reloaded (Maier-Hein et al., Nature Methods 21:195-212, 2024): the problem category and the properties of its data and of its clinical question.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:ProblemFingerprint',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'problem_category': {'name': 'problem_category',
                                             'required': True}}})

    problem_category: ProblemCategoryEnum = Field(default=..., description="""The Metrics Reloaded problem category.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:problemCategory'} })
    prevalence: Optional[float] = Field(default=None, description="""The share of positive cases (or of the rarest class) in the reference standard, from 0 to 1.""", ge=0, le=1, json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:prevalence'} })
    class_imbalance: Optional[bool] = Field(default=None, description="""True when the classes are strongly imbalanced (say, the rarest under 10 percent of cases).""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:classImbalance'} })
    small_structures: Optional[bool] = Field(default=None, description="""True when the structures to delineate or detect are small relative to the voxel grid.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:smallStructures'} })
    tubular_structures: Optional[bool] = Field(default=None, description="""True when the structures are tubular (vessels, airways, nerves), where topology matters.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:tubularStructures'} })
    empty_references: Optional[bool] = Field(default=None, description="""True when a case's reference may hold no structure or finding at all.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:emptyReferences'} })
    multiple_instances: Optional[bool] = Field(default=None, description="""True when a case may hold several instances (lesions, nodules) to tell apart.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:multipleInstances'} })
    calibration_needed: Optional[bool] = Field(default=None, description="""True when predicted probabilities drive decisions, so they must be calibrated.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:calibrationNeeded'} })
    decision_threshold: Optional[float] = Field(default=None, description="""The probability threshold at which a positive call is made, when the clinical use gives one; absent when none is given (threshold-free metrics then fit better).""", ge=0, le=1, json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:decisionThreshold'} })
    tolerance_mm: Optional[float] = Field(default=None, description="""The clinically acceptable boundary deviation in millimetres (the tolerance of NSD).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:toleranceMm'} })
    boundary_relevant: Optional[bool] = Field(default=None, description="""True when the clinical question is about contours (margins, volumes for planning).""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:boundaryRelevant'} })
    matching_rule: Optional[MatchingRuleEnum] = Field(default=None, description="""How a predicted finding is matched to a reference finding (detection, instance segmentation).""", json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:matchingRule'} })
    matching_threshold: Optional[float] = Field(default=None, description="""The matching rule's threshold: the least IoU of two boxes (box_iou) or the largest distance in millimetres between two points (point_distance).""", ge=0, json_schema_extra = { "linkml_meta": {'domain_of': ['ProblemFingerprint'], 'slot_uri': 'medal:matchingThreshold'} })


class LabelTable(ConfiguredBaseModel):
    """
    Where a task's cases and labels are: a CSV file distribution of one of its datasets, with one row per case and the columns holding the case id, the split and the labels. Labels of hidden splits are never published.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:LabelTable',
         'from_schema': 'https://w3id.org/medal/schema',
         'slot_usage': {'case_id_column': {'name': 'case_id_column', 'required': True},
                        'distribution_name': {'name': 'distribution_name',
                                              'required': True},
                        'split_column': {'name': 'split_column', 'required': True}}})

    dataset: Optional[str] = Field(default=None, description="""The identifier of the dataset the series belongs to.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ImagingSeries', 'LabelTable'], 'slot_uri': 'dcterms:isPartOf'} })
    distribution_name: str = Field(default=..., description="""The name of a file distribution of the dataset.""", json_schema_extra = { "linkml_meta": {'domain_of': ['LabelTable'], 'slot_uri': 'medal:distributionName'} })
    case_id_column: str = Field(default=..., description="""The column holding the case identifier.""", json_schema_extra = { "linkml_meta": {'domain_of': ['LabelTable'], 'slot_uri': 'medal:caseIdColumn'} })
    split_column: str = Field(default=..., description="""The column holding the name of the case's split (one of the task's splits).""", json_schema_extra = { "linkml_meta": {'domain_of': ['LabelTable'], 'slot_uri': 'medal:splitColumn'} })
    series_column: Optional[str] = Field(default=None, description="""The column holding each case's image series: the original SeriesInstanceUID of one of the dataset's series (as in the contributor's files) or a catalog series id. The catalog publishes only the catalog series id it names, never the original UID, and the task's Croissant references the dataset's series by it.""", json_schema_extra = { "linkml_meta": {'domain_of': ['LabelTable'], 'slot_uri': 'medal:seriesColumn'} })
    label_columns: Optional[list[str]] = Field(default=None, description="""The columns holding the reference-standard labels; every other column is an input of the case.""", json_schema_extra = { "linkml_meta": {'domain_of': ['LabelTable'], 'slot_uri': 'medal:labelColumn'} })
    reference_column: Optional[str] = Field(default=None, description="""The column naming, for each case, its reference file in the label table's dataset: a NIfTI mask for segmentation, a CSV of findings for detection (a path among the dataset's distributions). Such files are reference standard and are never served for hidden splits.""", json_schema_extra = { "linkml_meta": {'domain_of': ['LabelTable'], 'slot_uri': 'medal:referenceColumn'} })


class ResponsibleAINotes(ConfiguredBaseModel):
    """
    Responsible-AI information about a dataset, aligned with the Croissant RAI vocabulary.
    """
    linkml_meta: ClassVar[LinkMLMeta] = LinkMLMeta({'class_uri': 'medal:ResponsibleAINotes',
         'from_schema': 'https://w3id.org/medal/schema'})

    data_collection: Optional[str] = Field(default=None, description="""How the data were collected.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'], 'slot_uri': 'rai:dataCollection'} })
    data_biases: Optional[list[str]] = Field(default=None, description="""Known or suspected biases in the data.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'], 'slot_uri': 'rai:dataBiases'} })
    data_limitations: Optional[list[str]] = Field(default=None, description="""Known limitations of the data.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'], 'slot_uri': 'rai:dataLimitations'} })
    annotation_protocol: Optional[str] = Field(default=None, description="""How the annotations were made.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'], 'slot_uri': 'rai:dataAnnotationProtocol'} })
    annotator_expertise: Optional[str] = Field(default=None, description="""Who the annotators were and their expertise.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'], 'slot_uri': 'rai:annotatorDemographics'} })
    annotator_agreement: Optional[str] = Field(default=None, description="""Agreement between annotators, such as Cohen's kappa or Dice between readers.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'], 'slot_uri': 'rai:dataAnnotationAnalysis'} })
    preprocessing: Optional[str] = Field(default=None, description="""Preprocessing applied to the data before release.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'],
         'slot_uri': 'rai:dataPreprocessingProtocol'} })
    use_cases: Optional[list[str]] = Field(default=None, description="""Intended (and unintended) uses of the data.""", json_schema_extra = { "linkml_meta": {'domain_of': ['ResponsibleAINotes'], 'slot_uri': 'rai:dataUseCases'} })


# Model rebuild
# see https://pydantic-docs.helpmanual.io/usage/models/#rebuilding-a-model
MedalCatalog.model_rebuild()
CatalogEntry.model_rebuild()
BenchmarkTask.model_rebuild()
ImagingDataset.model_rebuild()
ImagingSeries.model_rebuild()
ReviewAssessment.model_rebuild()
PanelDecision.model_rebuild()
CodedConcept.model_rebuild()
DataSpecification.model_rebuild()
ReferenceStandard.model_rebuild()
EvaluationMetric.model_rebuild()
DataSplit.model_rebuild()
NumericRange.model_rebuild()
AcquisitionSummary.model_rebuild()
PopulationSummary.model_rebuild()
SexCounts.model_rebuild()
AgeBin.model_rebuild()
Period.model_rebuild()
Publication.model_rebuild()
Consent.model_rebuild()
EthicsApproval.model_rebuild()
License.model_rebuild()
Provenance.model_rebuild()
CollectionActivity.model_rebuild()
HarvestRun.model_rebuild()
Person.model_rebuild()
Organization.model_rebuild()
DeidentificationRecord.model_rebuild()
AuditSummary.model_rebuild()
AuditFinding.model_rebuild()
Distribution.model_rebuild()
RecordSetSummary.model_rebuild()
RecordField.model_rebuild()
ProblemFingerprint.model_rebuild()
LabelTable.model_rebuild()
ResponsibleAINotes.model_rebuild()
