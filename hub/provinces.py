"""Vietnam's 34 provincial-level units (28 provinces and 6 centrally-run cities, as of 1 July 2025).

Codes are stable short identifiers used in audience rules, organisation records and URLs.
"""

from __future__ import annotations

PROVINCES: dict[str, tuple[str, str]] = {
    # code: (Vietnamese name, English name)
    "HNI": ("Thành phố Hà Nội", "Hanoi"),
    "HUE": ("Thành phố Huế", "Hue City"),
    "HPG": ("Thành phố Hải Phòng", "Hai Phong"),
    "DNG": ("Thành phố Đà Nẵng", "Da Nang"),
    "HCM": ("Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
    "CTO": ("Thành phố Cần Thơ", "Can Tho"),
    "TQG": ("Tỉnh Tuyên Quang", "Tuyen Quang"),
    "CBG": ("Tỉnh Cao Bằng", "Cao Bang"),
    "LCU": ("Tỉnh Lai Châu", "Lai Chau"),
    "LCI": ("Tỉnh Lào Cai", "Lao Cai"),
    "TNN": ("Tỉnh Thái Nguyên", "Thai Nguyen"),
    "DBN": ("Tỉnh Điện Biên", "Dien Bien"),
    "LSN": ("Tỉnh Lạng Sơn", "Lang Son"),
    "SLA": ("Tỉnh Sơn La", "Son La"),
    "PTO": ("Tỉnh Phú Thọ", "Phu Tho"),
    "BNH": ("Tỉnh Bắc Ninh", "Bac Ninh"),
    "QNH": ("Tỉnh Quảng Ninh", "Quang Ninh"),
    "HYN": ("Tỉnh Hưng Yên", "Hung Yen"),
    "NBH": ("Tỉnh Ninh Bình", "Ninh Binh"),
    "THA": ("Tỉnh Thanh Hóa", "Thanh Hoa"),
    "NAN": ("Tỉnh Nghệ An", "Nghe An"),
    "HTH": ("Tỉnh Hà Tĩnh", "Ha Tinh"),
    "QTI": ("Tỉnh Quảng Trị", "Quang Tri"),
    "QNG": ("Tỉnh Quảng Ngãi", "Quang Ngai"),
    "GLI": ("Tỉnh Gia Lai", "Gia Lai"),
    "KHA": ("Tỉnh Khánh Hòa", "Khanh Hoa"),
    "LDG": ("Tỉnh Lâm Đồng", "Lam Dong"),
    "DLK": ("Tỉnh Đắk Lắk", "Dak Lak"),
    "DNI": ("Tỉnh Đồng Nai", "Dong Nai"),
    "TNH": ("Tỉnh Tây Ninh", "Tay Ninh"),
    "VLG": ("Tỉnh Vĩnh Long", "Vinh Long"),
    "DTP": ("Tỉnh Đồng Tháp", "Dong Thap"),
    "CMU": ("Tỉnh Cà Mau", "Ca Mau"),
    "AGG": ("Tỉnh An Giang", "An Giang"),
}


def province_name(code: str | None, locale: str = "vi") -> str:
    """The display name of a province code in the given locale ('' for none, the code itself if unknown)."""
    if not code:
        return ""
    names = PROVINCES.get(code)
    if names is None:
        return code
    return names[0] if locale == "vi" else names[1]
