"""The cities a person may bring their fund from: prefecture-level cities by their 6-digit code.

The codes are the national administrative division codes (GB/T 2260) the transfer platform
uses to address a centre; the four municipalities are named by their province-level code. The
list holds the major cities; the API accepts any other 6-digit code as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language


@dataclass(frozen=True)
class City:
    code: str
    name: str  # in Chinese, as stored on the transfer and shown on the platform
    name_en: str

    @property
    def label(self) -> str:
        """The name in the active language, with its code: 上海市 (310000)."""
        language = get_language() or settings.LANGUAGE_CODE
        name = self.name if language.lower().startswith("zh") else self.name_en
        return f"{name} ({self.code})"


CITIES: tuple[City, ...] = (
    City("110000", "北京市", "Beijing"),
    City("120000", "天津市", "Tianjin"),
    City("310000", "上海市", "Shanghai"),
    City("500000", "重庆市", "Chongqing"),
    City("130100", "石家庄市", "Shijiazhuang"),
    City("130200", "唐山市", "Tangshan"),
    City("130600", "保定市", "Baoding"),
    City("140100", "太原市", "Taiyuan"),
    City("150100", "呼和浩特市", "Hohhot"),
    City("150200", "包头市", "Baotou"),
    City("210100", "沈阳市", "Shenyang"),
    City("210200", "大连市", "Dalian"),
    City("220100", "长春市", "Changchun"),
    City("220200", "吉林市", "Jilin"),
    City("230100", "哈尔滨市", "Harbin"),
    City("320100", "南京市", "Nanjing"),
    City("320200", "无锡市", "Wuxi"),
    City("320300", "徐州市", "Xuzhou"),
    City("320400", "常州市", "Changzhou"),
    City("320500", "苏州市", "Suzhou"),
    City("320600", "南通市", "Nantong"),
    City("330100", "杭州市", "Hangzhou"),
    City("330200", "宁波市", "Ningbo"),
    City("330300", "温州市", "Wenzhou"),
    City("330400", "嘉兴市", "Jiaxing"),
    City("330600", "绍兴市", "Shaoxing"),
    City("330700", "金华市", "Jinhua"),
    City("331000", "台州市", "Taizhou (Zhejiang)"),
    City("340100", "合肥市", "Hefei"),
    City("340200", "芜湖市", "Wuhu"),
    City("350100", "福州市", "Fuzhou"),
    City("350200", "厦门市", "Xiamen"),
    City("350300", "莆田市", "Putian"),
    City("350400", "三明市", "Sanming"),
    City("350500", "泉州市", "Quanzhou"),
    City("350600", "漳州市", "Zhangzhou"),
    City("350700", "南平市", "Nanping"),
    City("350800", "龙岩市", "Longyan"),
    City("350900", "宁德市", "Ningde"),
    City("360100", "南昌市", "Nanchang"),
    City("360700", "赣州市", "Ganzhou"),
    City("370100", "济南市", "Jinan"),
    City("370200", "青岛市", "Qingdao"),
    City("370600", "烟台市", "Yantai"),
    City("370700", "潍坊市", "Weifang"),
    City("371300", "临沂市", "Linyi"),
    City("410100", "郑州市", "Zhengzhou"),
    City("410300", "洛阳市", "Luoyang"),
    City("420100", "武汉市", "Wuhan"),
    City("420500", "宜昌市", "Yichang"),
    City("420600", "襄阳市", "Xiangyang"),
    City("430100", "长沙市", "Changsha"),
    City("440100", "广州市", "Guangzhou"),
    City("440300", "深圳市", "Shenzhen"),
    City("440400", "珠海市", "Zhuhai"),
    City("440500", "汕头市", "Shantou"),
    City("440600", "佛山市", "Foshan"),
    City("440700", "江门市", "Jiangmen"),
    City("440800", "湛江市", "Zhanjiang"),
    City("441300", "惠州市", "Huizhou"),
    City("441900", "东莞市", "Dongguan"),
    City("442000", "中山市", "Zhongshan"),
    City("450100", "南宁市", "Nanning"),
    City("450200", "柳州市", "Liuzhou"),
    City("450300", "桂林市", "Guilin"),
    City("460100", "海口市", "Haikou"),
    City("460200", "三亚市", "Sanya"),
    City("510100", "成都市", "Chengdu"),
    City("510700", "绵阳市", "Mianyang"),
    City("520100", "贵阳市", "Guiyang"),
    City("530100", "昆明市", "Kunming"),
    City("540100", "拉萨市", "Lhasa"),
    City("610100", "西安市", "Xi'an"),
    City("620100", "兰州市", "Lanzhou"),
    City("630100", "西宁市", "Xining"),
    City("640100", "银川市", "Yinchuan"),
    City("650100", "乌鲁木齐市", "Urumqi"),
)

_BY_CODE = {city.code: city for city in CITIES}


def sending_cities() -> tuple[City, ...]:
    """The cities a fund can come from: every listed city but this centre's own."""
    return tuple(city for city in CITIES if city.code != settings.FUND_CENTRE_CODE)


def city_of(code: str) -> City | None:
    """The listed city with this code, or None (an unlisted code is still a valid address)."""
    return _BY_CODE.get((code or "").strip())


def city_label(code: str, name: str = "") -> str:
    """How to show a transfer's city: the listed city's label, or the stored name and code."""
    city = city_of(code)
    if city is not None:
        return city.label
    return f"{name} ({code})" if name and name != code else code
