"""The GPS keywords written out in dicom/annex_e.py (so that the table loads without pydicom) are pydicom's."""

from pydicom.datadict import keyword_for_tag

from medal_catalog.dicom.annex_e import ANNEX_E, GPS_KEYWORDS, _GPS_RANGE


def test_gps_keywords_match_pydicom_data_dictionary():
    """Every tag of (0016,0070)-(0016,008E) has the keyword pydicom's dictionary gives it, and all are X rows."""
    numbers = range(_GPS_RANGE[0], _GPS_RANGE[1] + 1)
    assert tuple(keyword_for_tag(n) for n in numbers) == GPS_KEYWORDS
    assert all(ANNEX_E[n].keyword == keyword_for_tag(n) and ANNEX_E[n].action == "X" for n in numbers)
