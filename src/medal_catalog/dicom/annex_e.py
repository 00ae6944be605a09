"""VENDORED DATA — DICOM PS3.15 Annex E, Table E.1-1 "Application Level Confidentiality Profile Attributes".

Source: DICOM PS3.15 (Security and System Management Profiles), Annex E, Table E.1-1, Basic Profile column
(actions as of the 2024 editions), transcribed by hand for the MEDAL catalog because pydicom ships no copy of
the table. Do not edit rows to change audit behaviour: the rules live in dicom/audit.py; edit rows only to
follow the standard. tests/dicom/test_annex_e.py checks every tag against pydicom's data dictionary.

Row format: ``gggg,eeee  ACTION  KIND  Keyword``. ``50xx``/``60xx`` groups are the repeating curve/overlay groups.
ACTION is the Basic Profile action code of the standard:
  X remove · Z zero-length or dummy · D dummy · U replace UID · combinations such as X/Z or X/Z/U* where the
  de-identifier may choose (U* = replace the UIDs inside a sequence and keep it).
KIND groups rows by the Annex E option that retains them and by whether their values identify someone, which
the description check uses:
  patient        who the patient is (names, IDs, addresses, birth date)             identifying values
  person         staff: physicians, operators, authors, their IDs                   identifying values
  identifier     accession, request, order, visit and trial identifiers              identifying values
  institution    Retain Institution Identity Option (113112)                        identifying values
  device         Retain Device Identity Option (113109)                             identifying values
  characteristic Retain Patient Characteristics Option (113108)
  date           dates and times: judged with LongitudinalTemporalInformationModified (0028,0303)
  descriptor     free text kept as C under the Clean Descriptors Option (113105)
  structured     SR content: Clean Structured Content Option (113104)
  graphics       overlays, curves, graphic annotations: Clean Graphics Option (113103)
  uid            UIDs (U): replaced, not removed; a header cannot show whether they were
  other          anything else the profile removes
"""

from __future__ import annotations

from dataclasses import dataclass

from medal_catalog.schema.facts import enum_meanings

SOURCE = "DICOM PS3.15 Annex E Table E.1-1 (Basic Application Level Confidentiality Profile)"

_TABLE = """
0008,0050 Z identifier AccessionNumber
0008,0012 X/D date InstanceCreationDate
0008,0013 X/Z/D date InstanceCreationTime
0008,0014 U uid InstanceCreatorUID
0008,0015 X date InstanceCoercionDateTime
0008,0017 U uid AcquisitionUID
0008,0018 U uid SOPInstanceUID
0008,0019 U uid PyramidUID
0008,0020 Z date StudyDate
0008,0021 X/D date SeriesDate
0008,0022 X/Z date AcquisitionDate
0008,0023 Z/D date ContentDate
0008,0024 X date OverlayDate
0008,0025 X date CurveDate
0008,002A X/Z/D date AcquisitionDateTime
0008,0030 Z date StudyTime
0008,0031 X/D date SeriesTime
0008,0032 X/Z date AcquisitionTime
0008,0033 Z/D date ContentTime
0008,0034 X date OverlayTime
0008,0035 X date CurveTime
0008,0054 X device RetrieveAETitle
0008,0055 X device StationAETitle
0008,0058 U uid FailedSOPInstanceUIDList
0008,0080 X/Z/D institution InstitutionName
0008,0081 X institution InstitutionAddress
0008,0082 X/Z/D institution InstitutionCodeSequence
0008,0090 Z person ReferringPhysicianName
0008,0092 X person ReferringPhysicianAddress
0008,0094 X person ReferringPhysicianTelephoneNumbers
0008,0096 X person ReferringPhysicianIdentificationSequence
0008,009C Z person ConsultingPhysicianName
0008,009D X person ConsultingPhysicianIdentificationSequence
0008,0201 X date TimezoneOffsetFromUTC
0008,1000 X device NetworkID
0008,1010 X/Z/D device StationName
0008,1030 X descriptor StudyDescription
0008,103E X descriptor SeriesDescription
0008,1040 X institution InstitutionalDepartmentName
0008,1041 X institution InstitutionalDepartmentTypeCodeSequence
0008,1048 X person PhysiciansOfRecord
0008,1049 X person PhysiciansOfRecordIdentificationSequence
0008,1050 X person PerformingPhysicianName
0008,1052 X person PerformingPhysicianIdentificationSequence
0008,1060 X person NameOfPhysiciansReadingStudy
0008,1062 X person PhysiciansReadingStudyIdentificationSequence
0008,1070 X/Z/D person OperatorsName
0008,1072 X/D person OperatorIdentificationSequence
0008,1080 X descriptor AdmittingDiagnosesDescription
0008,1084 X descriptor AdmittingDiagnosesCodeSequence
0008,1088 X descriptor PyramidDescription
0008,1110 X/Z other ReferencedStudySequence
0008,1111 X/Z/D other ReferencedPerformedProcedureStepSequence
0008,1120 X patient ReferencedPatientSequence
0008,1140 X/Z/U* uid ReferencedImageSequence
0008,1155 U uid ReferencedSOPInstanceUID
0008,1195 U uid TransactionUID
0008,2111 X descriptor DerivationDescription
0008,2112 X/Z/U* uid SourceImageSequence
0008,3010 U uid IrradiationEventUID
0008,4000 X descriptor IdentifyingComments
0010,0010 Z patient PatientName
0010,0020 Z patient PatientID
0010,0021 X patient IssuerOfPatientID
0010,0030 Z patient PatientBirthDate
0010,0032 X patient PatientBirthTime
0010,0040 Z characteristic PatientSex
0010,0050 X patient PatientInsurancePlanCodeSequence
0010,0101 X characteristic PatientPrimaryLanguageCodeSequence
0010,0102 X characteristic PatientPrimaryLanguageModifierCodeSequence
0010,1000 X patient OtherPatientIDs
0010,1001 X patient OtherPatientNames
0010,1002 X patient OtherPatientIDsSequence
0010,1005 X patient PatientBirthName
0010,1010 X characteristic PatientAge
0010,1020 X characteristic PatientSize
0010,1030 X characteristic PatientWeight
0010,1040 X patient PatientAddress
0010,1050 X patient InsurancePlanIdentification
0010,1060 X patient PatientMotherBirthName
0010,1080 X patient MilitaryRank
0010,1081 X patient BranchOfService
0010,1090 X patient MedicalRecordLocator
0010,1100 X patient ReferencedPatientPhotoSequence
0010,2000 X characteristic MedicalAlerts
0010,2110 X characteristic Allergies
0010,2150 X patient CountryOfResidence
0010,2152 X patient RegionOfResidence
0010,2154 X patient PatientTelephoneNumbers
0010,2155 X patient PatientTelecomInformation
0010,2160 X characteristic EthnicGroup
0010,2180 X patient Occupation
0010,21A0 X characteristic SmokingStatus
0010,21B0 X characteristic AdditionalPatientHistory
0010,21C0 X characteristic PregnancyStatus
0010,21D0 X date LastMenstrualDate
0010,21F0 X characteristic PatientReligiousPreference
0010,2203 X/Z characteristic PatientSexNeutered
0010,2297 X patient ResponsiblePerson
0010,2299 X patient ResponsibleOrganization
0010,4000 X descriptor PatientComments
0012,0010 D identifier ClinicalTrialSponsorName
0012,0020 D identifier ClinicalTrialProtocolID
0012,0021 Z identifier ClinicalTrialProtocolName
0012,0022 X identifier IssuerOfClinicalTrialProtocolID
0012,0023 X identifier OtherClinicalTrialProtocolIDsSequence
0012,0030 Z identifier ClinicalTrialSiteID
0012,0031 Z identifier ClinicalTrialSiteName
0012,0032 X identifier IssuerOfClinicalTrialSiteID
0012,0040 D patient ClinicalTrialSubjectID
0012,0041 X patient IssuerOfClinicalTrialSubjectID
0012,0042 D patient ClinicalTrialSubjectReadingID
0012,0043 X patient IssuerOfClinicalTrialSubjectReadingID
0012,0050 Z identifier ClinicalTrialTimePointID
0012,0051 X descriptor ClinicalTrialTimePointDescription
0012,0055 X identifier IssuerOfClinicalTrialTimePointID
0012,0060 Z identifier ClinicalTrialCoordinatingCenterName
0012,0071 X identifier ClinicalTrialSeriesID
0012,0072 X descriptor ClinicalTrialSeriesDescription
0012,0073 X identifier IssuerOfClinicalTrialSeriesID
0012,0081 D identifier ClinicalTrialProtocolEthicsCommitteeName
0012,0082 X identifier ClinicalTrialProtocolEthicsCommitteeApprovalNumber
0012,0086 X date EthicsCommitteeApprovalEffectivenessStartDate
0012,0087 X date EthicsCommitteeApprovalEffectivenessEndDate
0014,407C X date CalibrationTime
0014,407E X date CalibrationDate
0016,002B X other MakerNote
0016,004B X descriptor DeviceSettingDescription
0016,004D X person CameraOwnerName
0016,004E X device LensSpecification
0016,004F X device LensMake
0016,0050 X device LensModel
0016,0051 X device LensSerialNumber
0018,0010 Z/D descriptor ContrastBolusAgent
0018,0027 X date InterventionDrugStopTime
0018,0035 X date InterventionDrugStartTime
0018,1000 X/Z/D device DeviceSerialNumber
0018,1002 U uid DeviceUID
0018,1004 X device PlateID
0018,1005 X device GeneratorID
0018,1007 X device CassetteID
0018,1008 X device GantryID
0018,1009 X device UniqueDeviceIdentifier
0018,100A X device UDISequence
0018,100B U uid ManufacturerDeviceClassUID
0018,1012 X date DateOfSecondaryCapture
0018,1014 X date TimeOfSecondaryCapture
0018,1030 X/D descriptor ProtocolName
0018,1042 X date ContrastBolusStartTime
0018,1043 X date ContrastBolusStopTime
0018,1072 X date RadiopharmaceuticalStartTime
0018,1073 X date RadiopharmaceuticalStopTime
0018,1078 X date RadiopharmaceuticalStartDateTime
0018,1079 X date RadiopharmaceuticalStopDateTime
0018,1200 X date DateOfLastCalibration
0018,1201 X date TimeOfLastCalibration
0018,1202 X date DateTimeOfLastCalibration
0018,1203 Z date CalibrationDateTime
0018,1204 X date DateOfManufacture
0018,1205 X date DateOfInstallation
0018,1400 X/D descriptor AcquisitionDeviceProcessingDescription
0018,2042 U uid TargetUID
0018,4000 X descriptor AcquisitionComments
0018,5011 X device TransducerIdentificationSequence
0018,700A X/D device DetectorID
0018,700C X/D date DateOfLastDetectorCalibration
0018,700E X/D date TimeOfLastDetectorCalibration
0018,9074 D date FrameAcquisitionDateTime
0018,9151 D date FrameReferenceDateTime
0018,9185 X descriptor RespiratoryMotionCompensationTechniqueDescription
0018,9367 D device XRaySourceID
0018,9369 D date SourceStartDateTime
0018,936A D date SourceEndDateTime
0018,9371 D device XRayDetectorID
0018,9373 X device XRayDetectorLabel
0018,937B X descriptor MultienergyAcquisitionDescription
0018,937F X descriptor DecompositionDescription
0018,9424 X descriptor AcquisitionProtocolDescription
0018,9516 X/D date StartAcquisitionDateTime
0018,9517 X/D date EndAcquisitionDateTime
0018,9623 D other FunctionalSyncPulse
0018,9701 D date DecayCorrectionDateTime
0018,9804 D date ExclusionStartDateTime
0018,9919 Z/D date InstructionPerformedDateTime
0018,9937 X descriptor RequestedSeriesDescription
0018,A002 X date ContributionDateTime
0018,A003 X descriptor ContributionDescription
0018,11BB D descriptor AcquisitionFieldOfViewLabel
0020,0010 Z identifier StudyID
0020,000D U uid StudyInstanceUID
0020,000E U uid SeriesInstanceUID
0020,0027 X descriptor PyramidLabel
0020,0052 U uid FrameOfReferenceUID
0020,0200 U uid SynchronizationFrameOfReferenceUID
0020,3401 X device ModifyingDeviceID
0020,3403 X date ModifiedImageDate
0020,3405 X date ModifiedImageTime
0020,3406 X descriptor ModifiedImageDescription
0020,4000 X descriptor ImageComments
0020,9158 X descriptor FrameComments
0020,9161 U uid ConcatenationUID
0020,9164 U uid DimensionOrganizationUID
0028,1199 U uid PaletteColorLookupTableUID
0028,1214 U uid LargePaletteColorLookupTableUID
0028,4000 X descriptor ImagePresentationComments
0032,0012 X identifier StudyIDIssuer
0032,0032 X date StudyVerifiedDate
0032,0033 X date StudyVerifiedTime
0032,0034 X date StudyReadDate
0032,0035 X date StudyReadTime
0032,1000 X date ScheduledStudyStartDate
0032,1001 X date ScheduledStudyStartTime
0032,1010 X date ScheduledStudyStopDate
0032,1011 X date ScheduledStudyStopTime
0032,1020 X institution ScheduledStudyLocation
0032,1021 X device ScheduledStudyLocationAETitle
0032,1030 X descriptor ReasonForStudy
0032,1032 X person RequestingPhysician
0032,1033 X institution RequestingService
0032,1040 X date StudyArrivalDate
0032,1041 X date StudyArrivalTime
0032,1050 X date StudyCompletionDate
0032,1051 X date StudyCompletionTime
0032,1060 X/Z descriptor RequestedProcedureDescription
0032,1066 X descriptor ReasonForVisit
0032,1067 X descriptor ReasonForVisitCodeSequence
0032,1070 X descriptor RequestedContrastAgent
0032,4000 X descriptor StudyComments
0038,0004 X patient ReferencedPatientAliasSequence
0038,0010 X identifier AdmissionID
0038,0011 X identifier IssuerOfAdmissionID
0038,0014 X identifier IssuerOfAdmissionIDSequence
0038,001A X date ScheduledAdmissionDate
0038,001B X date ScheduledAdmissionTime
0038,001C X date ScheduledDischargeDate
0038,001D X date ScheduledDischargeTime
0038,001E X institution ScheduledPatientInstitutionResidence
0038,0020 X date AdmittingDate
0038,0021 X date AdmittingTime
0038,0030 X date DischargeDate
0038,0032 X date DischargeTime
0038,0040 X descriptor DischargeDiagnosisDescription
0038,0050 X characteristic SpecialNeeds
0038,0060 X identifier ServiceEpisodeID
0038,0061 X identifier IssuerOfServiceEpisodeID
0038,0062 X descriptor ServiceEpisodeDescription
0038,0064 X identifier IssuerOfServiceEpisodeIDSequence
0038,0300 X patient CurrentPatientLocation
0038,0400 X patient PatientInstitutionResidence
0038,0500 X characteristic PatientState
0038,4000 X descriptor VisitComments
0040,0001 X device ScheduledStationAETitle
0040,0002 X date ScheduledProcedureStepStartDate
0040,0003 X date ScheduledProcedureStepStartTime
0040,0004 X date ScheduledProcedureStepEndDate
0040,0005 X date ScheduledProcedureStepEndTime
0040,0006 X person ScheduledPerformingPhysicianName
0040,0007 X descriptor ScheduledProcedureStepDescription
0040,0009 X identifier ScheduledProcedureStepID
0040,000B X person ScheduledPerformingPhysicianIdentificationSequence
0040,0010 X device ScheduledStationName
0040,0011 X institution ScheduledProcedureStepLocation
0040,0012 X characteristic PreMedication
0040,0241 X device PerformedStationAETitle
0040,0242 X device PerformedStationName
0040,0243 X institution PerformedLocation
0040,0244 X date PerformedProcedureStepStartDate
0040,0245 X date PerformedProcedureStepStartTime
0040,0250 X date PerformedProcedureStepEndDate
0040,0251 X date PerformedProcedureStepEndTime
0040,0253 X identifier PerformedProcedureStepID
0040,0254 X descriptor PerformedProcedureStepDescription
0040,0275 X identifier RequestAttributesSequence
0040,0280 X descriptor CommentsOnThePerformedProcedureStep
0040,0310 X descriptor CommentsOnRadiationDose
0040,050A X identifier SpecimenAccessionNumber
0040,0512 D identifier ContainerIdentifier
0040,051A X descriptor ContainerDescription
0040,0551 D identifier SpecimenIdentifier
0040,0554 U uid SpecimenUID
0040,0555 X/Z other AcquisitionContextSequence
0040,0600 X descriptor SpecimenShortDescription
0040,0602 X descriptor SpecimenDetailedDescription
0040,06FA X identifier SlideIdentifier
0040,1001 X identifier RequestedProcedureID
0040,1002 X descriptor ReasonForTheRequestedProcedure
0040,1004 X patient PatientTransportArrangements
0040,1005 X institution RequestedProcedureLocation
0040,100A X descriptor ReasonForRequestedProcedureCodeSequence
0040,1010 X person NamesOfIntendedRecipientsOfResults
0040,1011 X person IntendedRecipientsOfResultsIdentificationSequence
0040,1101 D person PersonIdentificationCodeSequence
0040,1102 X person PersonAddress
0040,1103 X person PersonTelephoneNumbers
0040,1104 X person PersonTelecomInformation
0040,1400 X descriptor RequestedProcedureComments
0040,2001 X descriptor ReasonForTheImagingServiceRequest
0040,2004 X date IssueDateOfImagingServiceRequest
0040,2005 X date IssueTimeOfImagingServiceRequest
0040,2008 X person OrderEnteredBy
0040,2009 X institution OrderEntererLocation
0040,2010 X person OrderCallbackPhoneNumber
0040,2011 X person OrderCallbackTelecomInformation
0040,2016 Z identifier PlacerOrderNumberImagingServiceRequest
0040,2017 Z identifier FillerOrderNumberImagingServiceRequest
0040,2400 X descriptor ImagingServiceRequestComments
0040,3001 X descriptor ConfidentialityConstraintOnPatientDataDescription
0040,4005 X date ScheduledProcedureStepStartDateTime
0040,4008 X date ScheduledProcedureStepExpirationDateTime
0040,4010 X date ScheduledProcedureStepModificationDateTime
0040,4011 X date ExpectedCompletionDateTime
0040,4025 X device ScheduledStationNameCodeSequence
0040,4027 X institution ScheduledStationGeographicLocationCodeSequence
0040,4028 X device PerformedStationNameCodeSequence
0040,4030 X institution PerformedStationGeographicLocationCodeSequence
0040,4034 X person ScheduledHumanPerformersSequence
0040,4035 X person ActualHumanPerformersSequence
0040,4036 X institution HumanPerformerOrganization
0040,4037 X person HumanPerformerName
0040,4050 X date PerformedProcedureStepStartDateTime
0040,4051 X date PerformedProcedureStepEndDateTime
0040,4052 X date ProcedureStepCancellationDateTime
0040,A027 D institution VerifyingOrganization
0040,A030 D date VerificationDateTime
0040,A032 X/D date ObservationDateTime
0040,A033 X date ObservationStartDateTime
0040,A073 D person VerifyingObserverSequence
0040,A075 D person VerifyingObserverName
0040,A078 X person AuthorObserverSequence
0040,A07A X person ParticipantSequence
0040,A07C X institution CustodialOrganizationSequence
0040,A082 Z date ParticipationDateTime
0040,A088 Z person VerifyingObserverIdentificationCodeSequence
0040,A120 D date DateTime
0040,A121 D date Date
0040,A122 D date Time
0040,A123 D person PersonName
0040,A124 U uid UID
0040,A13A D date ReferencedDateTime
0040,A171 U uid ObservationUID
0040,A730 D structured ContentSequence
0040,DB06 X date TemplateVersion
0040,DB07 X date TemplateLocalVersion
0040,DB0C U uid TemplateExtensionOrganizationUID
0040,DB0D U uid TemplateExtensionCreatorUID
0040,E004 X date HL7DocumentEffectiveTime
0042,0011 D structured EncapsulatedDocument
0044,0004 X date ApprovalStatusDateTime
0044,000B X date ProductExpirationDateTime
0044,0010 X date SubstanceAdministrationDateTime
0044,0104 D date AssertionDateTime
0044,0105 X date AssertionExpirationDateTime
0050,0020 X device DeviceDescription
0050,0021 X device LongDeviceDescription
0064,0003 U uid SourceFrameOfReferenceUID
0070,0001 D graphics GraphicAnnotationSequence
0070,0082 X date PresentationCreationDate
0070,0083 X date PresentationCreationTime
0070,0084 Z/D person ContentCreatorName
0070,0086 X person ContentCreatorIdentificationCodeSequence
0070,031A U uid FiducialUID
0088,0140 U uid StorageMediaFileSetUID
0088,0200 X graphics IconImageSequence
0088,0904 X descriptor TopicTitle
0088,0906 X descriptor TopicSubject
0088,0910 X person TopicAuthor
0088,0912 X descriptor TopicKeywords
0400,0100 U uid DigitalSignatureUID
0400,0105 D date DigitalSignatureDateTime
0400,0115 D other CertificateOfSigner
0400,0310 X other CertifiedTimestamp
0400,0402 X other ReferencedDigitalSignatureSequence
0400,0403 X other ReferencedSOPInstanceMACSequence
0400,0404 X other MAC
0400,0550 X other ModifiedAttributesSequence
0400,0561 X other OriginalAttributesSequence
0400,0562 D date AttributeModificationDateTime
0400,0563 D device ModifyingSystem
0400,0564 Z other SourceOfPreviousValues
0400,0565 D descriptor ReasonForTheAttributeModification
2030,0020 X descriptor TextString
3006,0002 D descriptor StructureSetLabel
3006,0004 X descriptor StructureSetName
3006,0006 X descriptor StructureSetDescription
3006,0008 Z date StructureSetDate
3006,0009 Z date StructureSetTime
3006,0024 U uid ReferencedFrameOfReferenceUID
3006,0026 Z descriptor ROIName
3006,0028 X descriptor ROIDescription
3006,0038 X descriptor ROIGenerationDescription
3006,00A6 Z person ROIInterpreter
3006,00C2 U uid RelatedFrameOfReferenceUID
300A,0002 D descriptor RTPlanLabel
300A,0003 X descriptor RTPlanName
300A,0004 X descriptor RTPlanDescription
300A,0006 X/D date RTPlanDate
300A,0007 X/D date RTPlanTime
300A,000B X descriptor TreatmentSites
300A,000E X descriptor PrescriptionDescription
300A,0013 U uid DoseReferenceUID
300A,0016 X descriptor DoseReferenceDescription
300A,0072 X descriptor FractionGroupDescription
300A,00B2 X/Z device TreatmentMachineName
300A,00C3 X descriptor BeamDescription
300A,00DD X descriptor BolusDescription
300A,0196 X descriptor FixationDeviceDescription
300A,01A6 X descriptor ShieldingDeviceDescription
300A,01B2 X descriptor SetupTechniqueDescription
300A,0216 X device SourceManufacturer
300A,022C D date SourceStrengthReferenceDate
300A,022E D date SourceStrengthReferenceTime
300A,02EB X descriptor CompensatorDescription
300E,0004 Z date ReviewDate
300E,0005 Z date ReviewTime
300E,0008 X/Z person ReviewerName
3008,0024 D date TreatmentControlPointDate
3008,0025 D date TreatmentControlPointTime
3008,0054 X/D date FirstTreatmentDate
3008,0056 X/D date MostRecentTreatmentDate
3008,0105 X/Z device SourceSerialNumber
3008,0250 X/D date TreatmentDate
3008,0251 X/D date TreatmentTime
4000,0010 X descriptor Arbitrary
4000,4000 X descriptor TextComments
4008,0040 X identifier ResultsID
4008,0042 X identifier ResultsIDIssuer
4008,0100 X date InterpretationRecordedDate
4008,0101 X date InterpretationRecordedTime
4008,0102 X person InterpretationRecorder
4008,0108 X date InterpretationTranscriptionDate
4008,0109 X date InterpretationTranscriptionTime
4008,010A X person InterpretationTranscriber
4008,010B X descriptor InterpretationText
4008,010C X person InterpretationAuthor
4008,0111 X person InterpretationApproverSequence
4008,0112 X date InterpretationApprovalDate
4008,0113 X date InterpretationApprovalTime
4008,0114 X person PhysicianApprovingInterpretation
4008,0115 X descriptor InterpretationDiagnosisDescription
4008,0118 X person ResultsDistributionListSequence
4008,0119 X person DistributionName
4008,011A X person DistributionAddress
4008,0200 X identifier InterpretationID
4008,0202 X identifier InterpretationIDIssuer
4008,0300 X descriptor Impressions
4008,4000 X descriptor ResultsComments
50xx,xxxx X graphics CurveData
60xx,3000 X graphics OverlayData
60xx,4000 X graphics OverlayComments
FFFA,FFFA X other DigitalSignaturesSequence
FFFC,FFFC X other DataSetTrailingPadding
"""

# GPS attributes (0016,0070)-(0016,008E) are all removed (X); listed by range to keep the table readable.
_GPS_RANGE = (0x00160070, 0x0016008E)

#: CID 7050 "De-identification Method" codes (scheme DCM) -> DeidentificationOptionEnum values, read from the
#: schema's ``meaning: DICOM:1131xx`` of each value so that the audit and the catalog cannot disagree.
CID_7050: dict[str, str] = {
    meaning.partition(":")[2]: option
    for option, meaning in enum_meanings("DeidentificationOptionEnum").items()
    if meaning.startswith("DICOM:")
}

#: Which declared option retains which kind of attribute (Annex E options, E.3).
OPTION_RETAINS: dict[str, str] = {
    "institution": "retain_institution_identity",
    "device": "retain_device_identity",
    "characteristic": "retain_patient_characteristics",
    "descriptor": "clean_descriptors",
    "structured": "clean_structured_content",
    "graphics": "clean_graphics",
}

#: Kinds whose values identify a person, institution or device: a description containing one is dropped.
IDENTIFYING_KINDS = frozenset({"patient", "person", "identifier", "institution", "device"})

#: The repeating groups: curve data (50xx,eeee) and overlays (60xx,eeee), even groups only.
CURVE_GROUP = 0x5000
OVERLAY_GROUP = 0x6000


@dataclass(frozen=True, slots=True)
class AnnexEntry:
    """One row of Table E.1-1: the attribute's keyword, its tag as written (gggg,eeee), action and kind."""

    keyword: str
    tag: str
    action: str
    kind: str

    @property
    def may_be_dummy(self) -> bool:
        """True when the profile allows keeping the attribute with a dummy or empty value (Z or D)."""
        return "Z" in self.action or "D" in self.action


def _load() -> dict[int, AnnexEntry]:
    table: dict[int, AnnexEntry] = {}
    for line in _TABLE.strip().splitlines():
        tag_text, action, kind, keyword = line.split()
        group, elem = tag_text.split(",")
        if group.endswith("xx"):  # repeating group: stored under its base group; 50xx,xxxx keyed by element 0
            base = int(group[:2] + "00", 16)
            number = (base << 16) | (0 if elem == "xxxx" else int(elem, 16))
        else:
            number = (int(group, 16) << 16) | int(elem, 16)
        written = f"({group},{elem})".upper().replace("X", "x")
        table[number] = AnnexEntry(keyword, written, action, kind)
    for offset, keyword in enumerate(GPS_KEYWORDS):
        number = _GPS_RANGE[0] + offset
        table[number] = AnnexEntry(keyword, f"({number >> 16:04X},{number & 0xFFFF:04X})", "X", "other")
    return table


#: The keywords of (0016,0070) to (0016,008E), in tag order, as pydicom's data dictionary names them: written out
#: so that loading this table does not import pydicom (0.15 s, with numpy) in every `medal` command that audits
#: (issue 29); tests/dicom/test_annex_e_gps.py fails if they drift from pydicom's.
GPS_KEYWORDS = (
    "GPSVersionID",
    "GPSLatitudeRef",
    "GPSLatitude",
    "GPSLongitudeRef",
    "GPSLongitude",
    "GPSAltitudeRef",
    "GPSAltitude",
    "GPSTimeStamp",
    "GPSSatellites",
    "GPSStatus",
    "GPSMeasureMode",
    "GPSDOP",
    "GPSSpeedRef",
    "GPSSpeed",
    "GPSTrackRef",
    "GPSTrack",
    "GPSImgDirectionRef",
    "GPSImgDirection",
    "GPSMapDatum",
    "GPSDestLatitudeRef",
    "GPSDestLatitude",
    "GPSDestLongitudeRef",
    "GPSDestLongitude",
    "GPSDestBearingRef",
    "GPSDestBearing",
    "GPSDestDistanceRef",
    "GPSDestDistance",
    "GPSProcessingMethod",
    "GPSAreaInformation",
    "GPSDateStamp",
    "GPSDifferential",
)


#: Tag number -> row. Repeating groups are keyed (5000,0000), (6000,3000) and (6000,4000).
ANNEX_E: dict[int, AnnexEntry] = _load()


def lookup(tag: int) -> AnnexEntry | None:
    """The row for a tag number, folding the repeating curve (50xx) and overlay (60xx) groups onto their base."""
    entry = ANNEX_E.get(tag)
    if entry is None:
        group = tag >> 16
        if group & 0xFF00 == CURVE_GROUP and not group & 1:
            return ANNEX_E.get(CURVE_GROUP << 16)
        if group & 0xFF00 == OVERLAY_GROUP and not group & 1:
            return ANNEX_E.get((OVERLAY_GROUP << 16) | (tag & 0xFFFF))
    return entry
