#!/usr/bin/env python3
"""Peer driver: the official CapMonster Cloud Python client (PyPI capmonstercloudclient 4.3.1),
pointed at the emulator with its documented ClientOptions(service_url=...).

Every request class the installed package lists (capmonstercloudclient.requests.REQUESTS) is
driven once through CapMonsterClient.solve_captcha, plus get_balance. A class this driver has no
parameters for is still reported (as crashed, "not driven"), so a new client version that adds a
method shows up in the matrix instead of being skipped."""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from peerlib import (API_KEY, IMG_B64, IMG_BYTES, PROXY, SITE_KEY, SITE_URL, UA, Recorder,
                     parse_args)

import capmonstercloudclient.requests as R
from capmonstercloudclient import CapMonsterClient, ClientOptions
from capmonstercloudclient.requests import ProxyInfo

NOT_DOCUMENTED = ("not a type or class in CapMonster's documentation (snapshot 2026-03-30), which "
                  "the emulator follows; ERROR_TASK_NOT_SUPPORTED is the code for an unknown type")
REMOVED = ("a ComplexImageTask class removed from CapMonster's documentation; ERROR_TASK_NOT_SUPPORTED "
           "is the code for an unknown class")


def proxy():
    return ProxyInfo(**PROXY)


# Parameters per request class, by class name: (kwargs, expect, codes, why).
CASES = {
    "RecaptchaV2Request": dict(websiteUrl=SITE_URL, websiteKey=SITE_KEY),
    "RecaptchaV2EnterpriseRequest": dict(websiteUrl=SITE_URL, websiteKey=SITE_KEY,
                                         enterprisePayload='{"s": "SOME_ADDITIONAL_TOKEN"}'),
    "RecaptchaV3ProxylessRequest": dict(websiteUrl=SITE_URL, websiteKey=SITE_KEY, minScore=0.7,
                                        pageAction="login"),
    "RecaptchaV3EnterpriseRequest": dict(websiteUrl=SITE_URL, websiteKey=SITE_KEY, minScore=0.7,
                                         pageAction="login"),
    "RecaptchaComplexImageTaskRequest": dict(imagesBase64=[IMG_B64],
                                             metadata={"Grid": "3x3", "Task": "Click on traffic lights"},
                                             userAgent=UA, websiteUrl=SITE_URL),
    "ImageToTextRequest": dict(image_bytes=IMG_BYTES),
    # The client itself requires a proxy for FunCaptcha (FuncaptchaRequest.py).
    "FuncaptchaRequest": dict(websiteUrl=SITE_URL, websitePublicKey="69A21A01-CC7B-B9C6-0F9A-E7FA06677FFC",
                              proxy="PROXY"),
    "FunCaptchaComplexImageTaskRequest": (dict(imagesBase64=[IMG_B64], metadata={"Task": "Pick the lion"}),
                                          "refuse", ["ERROR_TASK_NOT_SUPPORTED"], REMOVED),
    "HcaptchaRequest": dict(websiteUrl=SITE_URL, websiteKey="472fc7af-86a4-4382-9a49-ca9090474471"),
    "HcaptchaComplexImageTaskRequest": (dict(imagesBase64=[IMG_B64], metadata={"Task": "Please click each image containing a mountain"}),
                                        "refuse", ["ERROR_TASK_NOT_SUPPORTED"], REMOVED),
    "GeetestRequest": dict(websiteUrl=SITE_URL, gt="81388ea1fc187e0c335c0a8907ff2625",
                           challenge="2e2f0f65240058b683cb6ea21c303eea6n"),
    "DataDomeCustomTaskRequest": dict(websiteUrl=SITE_URL, proxy="PROXY",
                                      metadata={"captchaUrl": "https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA",
                                                "datadomeCookie": "datadome=6BvxqELMoorFNoo7GT1"}),
    "TenDiCustomTaskRequest": dict(websiteUrl=SITE_URL, websiteKey="189123456"),
    "BasiliskCustomTaskRequest": dict(websiteUrl=SITE_URL, websiteKey="b7890hre5cf2544b2759eda0d2a5d4b2"),
    "AmazonWafRequest": dict(websiteUrl=SITE_URL, websiteKey="AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96AHMDLodoefdvyOnsHMRt",
                             captchaScript="https://ab.token.awswaf.com/captcha.js",
                             challengeScript="https://ab.token.awswaf.com/challenge.js",
                             context="qoJYgnKsc", iv="CgAHbCe2GgAAAAAj"),
    "BinanceTaskRequest": dict(websiteUrl=SITE_URL, websiteKey="login", validateId="2b8137c0b9b44189800368819354e114"),
    "ImpervaCustomTaskRequest": dict(websiteUrl=SITE_URL, proxy="PROXY",
                                     metadata={"incapsulaScriptUrl": "_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3",
                                               "incapsulaCookies": "incap_ses_1166_2930313=br7iX33ZNCtf3HlpEXcuEDzz72cAAAAA0suDnBGrq/iA0J4oERYzjQ==",
                                               "reese84UrlEndpoint": "Built-with-the-For-hopence-Hurleysurfecting-the-"}),
    "TurnstileRequest": dict(websiteURL=SITE_URL, websiteKey="0x4AAAAAAABUYP0XeMJF0xoy"),
    "RecognitionComplexImageTaskRequest": dict(imagesBase64=[IMG_B64], metadata={"Task": "oocl_rotate_new"}),
    "MTCaptchaRequest": dict(websiteUrl=SITE_URL, websiteKey="MTPublic-abCDEFJAB"),
    "YidunRequest": dict(websiteUrl=SITE_URL, websiteKey="6cw0f0485d5d46auacf9b735d20218a5"),
    "ProsopoTaskRequest": dict(websiteUrl=SITE_URL, websiteKey="5EZU3LG31uzq1Mwi8inwqxmfvFDpj7VzwDnZwj4Q3syyxBwV"),
    "TemuCustomTaskRequest": dict(websiteUrl=SITE_URL, metadata={"cookie": "api_uid=Cn1OK2Yz; _nano_fp=XpmYl0PbXqmJnqXbnT_"}),
    "AltchaCustomTaskRequest": dict(websiteUrl=SITE_URL, websiteKey="", metadata={
        "challenge": "3dd28253be6cc0c54d95f7f98c517e68744597cc6e66109619d1ac975c39181c",
        "iterations": "5000", "salt": "46d5b1c8871e5152d902ee3f?edk=1493462145de1ce33a52fb569b27a364&codeChallenge=464Cjs7PbiJJhJZ_ReJ-y9UGGDndcpsnP6vS8x1nEJyTkhjQkdyL2jz3ClUGrbZNBtr8MnbDtZGRGFsvEKhAd-nF&expires=1743590560",
        "signature": "4b1cf0e0be0f4e5247e50b0f9a449830f1fbca44c32ff94bc080146815f31a18"}),
    "CastleCustomTaskRequest": dict(websiteUrl=SITE_URL, websiteKey="pk_1Tk5Yzr1WFzxrJCh7WzMZzY1rHpaOtdK",
                                    metadata={"wUrl": "https://s1.rbxcdn.com/CaptchaFrame/castle.js",
                                              "swUrl": "https://s1.rbxcdn.com/CaptchaFrame/castle.sw.js",
                                              "count": 2}),
    "TspdCustomTaskRequest": dict(websiteUrl=SITE_URL, userAgent=UA, proxy="PROXY",
                                  metadata={"tspdCookie": "TSxxxxxxxx=08cf6a4f2dab2000", "htmlPageBase64": "PGh0bWw+PC9odG1sPg=="}),
    "HuntCustomTaskRequest": dict(websiteUrl=SITE_URL, proxy="PROXY",
                                  metadata={"apiGetLib": "https://www.example.test/hd-api/external/apps/a2157wab1045d68672a63557e0n2a77edbfd15ea/api.js",
                                            "data": "K9PMzTV7gGwA4jqgUOQMmk1H"}),
    "AlibabaCustomTaskRequest": dict(websiteUrl=SITE_URL, metadata={"sceneId": "1ww4kr45", "prefix": "14cs1h"}),
    "FriendlyCustomTaskRequest": (dict(websiteUrl=SITE_URL, websiteKey="FCMGEMUD2KTDSQ5H", metadata={"apiGetLib": "https://cdn.jsdelivr.net/npm/friendly-challenge@0.9.14/widget.min.js"}),
                                  "refuse", ["ERROR_TASK_NOT_SUPPORTED"], NOT_DOCUMENTED),
}


def main():
    a = parse_args()
    rec = Recorder("capmonstercloudclient 4.3.1 (Python)", a)
    def run(coro_fn):
        # One event loop per case (the client opens an aiohttp session per call).
        return asyncio.run(coro_fn())

    def client():
        return CapMonsterClient(options=ClientOptions(api_key=API_KEY, service_url=a.base))

    rec.case("get_balance", lambda: run(lambda: client().get_balance()))
    # Every request class the package exports. (Its REQUESTS list names modules, one of them
    # misspelt, so the classes are taken from the package itself.)
    names = sorted(n for n in dir(R)
                   if isinstance(getattr(R, n), type) and n.endswith("Request") and n != "BaseRequest")
    seen = set()
    for name in names:
        cls = getattr(R, name)
        cname = cls.__name__
        if cname in seen:
            continue
        seen.add(cname)
        spec = CASES.get(cname)
        if spec is None:
            def missing(cname=cname):
                raise NotImplementedError(f"not driven: the driver has no parameters for {cname}")
            rec.case(cname, missing)
            continue
        kwargs, expect, codes, why = spec if isinstance(spec, tuple) else (spec, "work", [], "")
        kwargs = dict(kwargs)
        if kwargs.get("proxy") == "PROXY":
            kwargs["proxy"] = proxy()

        def solve(cls=cls, kwargs=kwargs):
            request = cls(**kwargs)
            return run(lambda: client().solve_captcha(request))
        rec.case(cname, solve, expect, codes, why)
    rec.run()


main()
