#!/usr/bin/env python3
"""Peer driver: 2captcha's official Python client (PyPI 2captcha-python), which speaks the
in.php/res.php URL form, against the emulator.

Its `server=` option sets only the host (the scheme is fixed to https), so the client is given
server="127.0.0.1:PORT" and peerlib.redirect_requests turns https into http inside requests'
transport adapter; the client's own code runs unchanged.

Every public method of the TwoCaptcha class is driven once (the list is read from the class, so a
new method shows up as "not driven"); reCAPTCHA also as v3 and Enterprise."""
import base64
import inspect
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from peerlib import API_KEY, IMG_B64, IMG_BYTES, SITE_KEY, SITE_URL, UA, Recorder, parse_args, redirect_requests

from twocaptcha import TwoCaptcha

UNSUPPORTED = ("not an in.php method CapMonster documents (its docs show only userrecaptcha) and not "
               "one the emulator maps onto a CapMonster task; refused with the URL form's "
               "ERROR_BAD_PARAMETERS, the code it uses for an unsupported method")
IMAGE_MODE = ("an image mode (grid, canvas or coordinates clicks) CapMonster's ImageToText does not "
              "have; refused with ERROR_BAD_PARAMETERS rather than answered with text of the wrong shape")
TEXT = ("a text captcha (a question, no image): CapMonster has no task type for it; refused with "
        "ERROR_BAD_PARAMETERS, the URL form's unsupported-method code")
NO_MAPPING = ("CapMonster has this kind, but 2captcha's parameters for it do not carry the fields CapMonster's "
              "task requires ({}); refused with the URL form's ERROR_BAD_PARAMETERS")
PROXY = {"type": "HTTPS", "uri": "user:pass@203.0.113.7:8080"}
GEETEST_FAULT = ("the client's fault: TwoCaptcha.get_result takes only an `OK|...` answer unless "
                 "extendedResponse is set (twocaptcha/solver.py, get_result), but 2captcha's API page says "
                 "res.php answers GeeTest in JSON by default, and users of CapMonster's compatible form "
                 "saw the same (openbullet/CaptchaSharp#5). The emulator answers as documented; the same "
                 "call with extendedResponse=True works (the row marked so)")

# Not solving methods: the plumbing behind them.
PLUMBING = {"solve", "send", "get_result", "wait_result", "get_method", "rename_params", "default_params",
            "extract_files", "check_hint_img"}


def main():
    a = parse_args()
    port = a.base.rsplit(":", 1)[1]
    hostport = f"127.0.0.1:{port}"
    redirect_requests(f"https://{hostport}/", a.base)
    from importlib.metadata import version
    rec = Recorder(f"2captcha-python {version('2captcha-python')} (Python, in.php/res.php)", a)

    tmp = tempfile.mkdtemp(prefix="peers-2captcha-")
    img_path = os.path.join(tmp, "captcha.png")
    with open(img_path, "wb") as f:
        f.write(IMG_BYTES)
    mp3 = base64.b64encode(b"ID3" + bytes(300)).decode()

    def solver(extended=None):
        # pollingInterval: the client's own option (default 10 s); the emulator runs sped up.
        return TwoCaptcha(API_KEY, server=hostport, pollingInterval=1, defaultTimeout=60, recaptchaTimeout=60,
                          extendedResponse=extended)

    work, refuse = "work", "refuse"
    bad = ["ERROR_BAD_PARAMETERS"]
    cases = {
        "balance": (lambda s: s.balance(), work),
        "normal": (lambda s: s.normal(IMG_B64), work),
        "recaptcha": (lambda s: s.recaptcha(sitekey=SITE_KEY, url=SITE_URL), work),
        "hcaptcha": (lambda s: s.hcaptcha(sitekey="472fc7af-86a4-4382-9a49-ca9090474471", url=SITE_URL), work),
        "turnstile": (lambda s: s.turnstile(sitekey="0x4AAAAAAABUYP0XeMJF0xoy", url=SITE_URL), work),
        "geetest": (lambda s: s.geetest(gt="81388ea1fc187e0c335c0a8907ff2625",
                                        challenge="2e2f0f65240058b683cb6ea21c303eea6n", url=SITE_URL),
                    "client-fault", [], GEETEST_FAULT),
        "geetest_v4": (lambda s: s.geetest_v4(captcha_id="54088bb07d2df3c46b79f80300b0abbe", url=SITE_URL),
                       "client-fault", [], GEETEST_FAULT),
        "funcaptcha": (lambda s: s.funcaptcha(sitekey="69A21A01-CC7B-B9C6-0F9A-E7FA06677FFC", url=SITE_URL), work),
        "amazon_waf": (lambda s: s.amazon_waf(sitekey="AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96",
                                              iv="CgAHbCe2GgAAAAAj", context="qoJYgnKsc", url=SITE_URL,
                                              captcha_script="https://ab.token.awswaf.com/captcha.js"), work),
        "mtcaptcha": (lambda s: s.mtcaptcha(sitekey="MTPublic-abCDEFJAB", url=SITE_URL), work),
        "prosopo": (lambda s: s.prosopo(sitekey="5EZU3LG31uzq1Mwi8inwqxmfvFDpj7VzwDnZwj4Q3syyxBwV", pageurl=SITE_URL), work),
        "text": (lambda s: s.text("If tomorrow is Saturday, what day is today?"), refuse, bad, TEXT),
        "grid": (lambda s: s.grid(img_path, rows=3, cols=3), refuse, bad, IMAGE_MODE),
        "canvas": (lambda s: s.canvas(img_path, hintText="Draw around the apple"), refuse, bad, IMAGE_MODE),
        "coordinates": (lambda s: s.coordinates(img_path), refuse, bad, IMAGE_MODE),
        "audio": (lambda s: s.audio(mp3, lang="en"), refuse, bad, UNSUPPORTED),
        "rotate": (lambda s: s.rotate(img_path), refuse, bad, UNSUPPORTED),
        "keycaptcha": (lambda s: s.keycaptcha(s_s_c_user_id=10, s_s_c_session_id="493e52c37c10c2bcdf4a00cbc9ccd1e8",
                                              s_s_c_web_server_sign="9006dc725760858e4c0715b835472f22",
                                              s_s_c_web_server_sign2="2ca3abe86d90c6142d5571db98af6714", url=SITE_URL),
                       refuse, bad, UNSUPPORTED),
        "capy": (lambda s: s.capy(sitekey="PUZZLE_Cz04hZLjuZRMYC3ee10C32D3uNms5w", url=SITE_URL), refuse, bad, UNSUPPORTED),
        "lemin": (lambda s: s.lemin(captcha_id="CROPPED_5a29582_ca114c2f3314482c84cd32fc7d2feb63", div_id="lemin-cropped-captcha",
                                    url=SITE_URL), refuse, bad, UNSUPPORTED),
        "atb_captcha": (lambda s: s.atb_captcha(app_id="af25e409b33d722a95e56a230ff8771c", api_server="https://cap.aisecurius.com",
                                                url=SITE_URL), refuse, bad, UNSUPPORTED),
        "friendly_captcha": (lambda s: s.friendly_captcha(sitekey="FCMGEMUD2KTDSQ5H", url=SITE_URL), refuse, bad, UNSUPPORTED),
        "tencent": (lambda s: s.tencent(app_id="197326679", url=SITE_URL), work),
        "cutcaptcha": (lambda s: s.cutcaptcha(misery_key="ad52c87af17e2ec09b8d918c9f00416b1cb8c320", apikey="SAs61IAI",
                                              url=SITE_URL), refuse, bad, UNSUPPORTED),
        "vkimage": (lambda s: s.vkimage([img_path], steps="[5,12,22,24,21,23,10,7,2,8,19,18,8,24,21,22,11,14,16,5,18,20,4,21,12,6,0,0,11,12,8,20,19,3,14,8,9,13,16,24,18,3,2,23,8,12,6,1,11,0,20,15,19,22,17,24,8,0,12,5,19,14,11,6,7,14,23,24,23,20,4,20,6,12,4,17,4,18,6,20,17,5,23,7,10,2,8,9,5,4,17,24,11,14,4,10,12,22,21,2]"),
                    refuse, bad, UNSUPPORTED),
        "vkcaptcha": (lambda s: s.vkcaptcha(redirect_uri="https://id.vk.com/not_robot_captcha?domain=vk.com", userAgent=UA,
                                            proxy=PROXY), refuse, bad, UNSUPPORTED),
        "captchafox": (lambda s: s.captchafox(sitekey="sk_ILKWNruBBVKDOM7dZs59KHnDLEWiH", pageurl=SITE_URL, userAgent=UA,
                                              proxy=PROXY), refuse, bad, UNSUPPORTED),
        "temu": (lambda s: s.temu(body=IMG_B64, part1=IMG_B64, part2=IMG_B64, part3=IMG_B64), refuse, bad, NO_MAPPING.format("metadata.cookie: 2captcha sends image parts")),
        "datadome": (lambda s: s.datadome(captcha_url="https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA",
                                          pageurl=SITE_URL, userAgent=UA, proxy=PROXY), refuse, bad, NO_MAPPING.format("metadata.datadomeCookie")),
        "cybersiara": (lambda s: s.cybersiara(master_url_id="tpjOCKjjpdzv3d8Ub2E9COEWKt1vl1Mv", pageurl=SITE_URL, userAgent=UA),
                       refuse, bad, UNSUPPORTED),
        "yandex_smart": (lambda s: s.yandex_smart(sitekey="FEXfAbHQsToo97VidNVk3j4dC74nGW1DgdxjtNB9", url=SITE_URL),
                         refuse, bad, UNSUPPORTED),
        "altcha": (lambda s: s.altcha(pageurl=SITE_URL, challenge_url="https://peers.example.test/altcha"), refuse, bad, NO_MAPPING.format("challenge, iterations, salt and signature: 2captcha takes a challenge URL")),
        "binance": (lambda s: s.binance(pageurl=SITE_URL, sitekey="login", validate_id="2b8137c0b9b44189800368819354e114"),
                    work),
        "yidun": (lambda s: s.yidun(sitekey="6cw0f0485d5d46auacf9b735d20218a5", pageurl=SITE_URL), work),
        "hunt": (lambda s: s.hunt(pageurl=SITE_URL, api_get_lib="https://www.example.test/hd-api/external/apps/a2157/api.js",
                                  proxy=PROXY),
                 work),
        "alibaba": (lambda s: s.alibaba(pageurl=SITE_URL, scene_id="1ww4kr45", prefix="14cs1h"), work),
        "tspd": (lambda s: s.tspd(pageurl=SITE_URL, tspd_cookie="TSxxxxxxxx=08cf6a4f2dab2000",
                                  html_page_base64="PGh0bWw+PC9odG1sPg==", proxy=PROXY, userAgent=UA), work),
        "basilisk": (lambda s: s.basilisk(pageurl=SITE_URL, sitekey="b7890hre5cf2544b2759eda0d2a5d4b2"), work),
        "drag_and_drop": (lambda s: s.drag_and_drop(body=IMG_B64, images=[IMG_B64]), refuse, bad, UNSUPPORTED),
        "imperva": (lambda s: s.imperva(pageurl=SITE_URL, incapsula_script_url="_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3",
                                        incapsula_cookies="incap_ses_1166_2930313=br7iX33ZNCtf3HlpEXcuEDzz72cAAAAA0suDnBGrq", proxy=PROXY),
                    work),
    }
    extra = {
        "recaptcha (v3)": (lambda s: s.recaptcha(sitekey=SITE_KEY, url=SITE_URL, version="v3", action="login", score=0.7), work),
        "recaptcha (Enterprise v2)": (lambda s: s.recaptcha(sitekey=SITE_KEY, url=SITE_URL, enterprise=1), work),
        "geetest (extendedResponse=True)": (lambda s: s.geetest(gt="81388ea1fc187e0c335c0a8907ff2625",
                                                                challenge="2e2f0f65240058b683cb6ea21c303eea6n",
                                                                url=SITE_URL), work, True),
        "geetest_v4 (extendedResponse=True)": (lambda s: s.geetest_v4(captcha_id="54088bb07d2df3c46b79f80300b0abbe",
                                                                      url=SITE_URL), work, True),
    }

    def report(correct):
        def run():
            s = solver()
            r = s.recaptcha(sitekey=SITE_KEY, url=SITE_URL)
            return {"report": s.report(r["captchaId"], correct)}
        return run

    names = sorted(n for n, f in inspect.getmembers(TwoCaptcha, inspect.isfunction)
                   if not n.startswith("_") and n not in PLUMBING)
    for name in names:
        if name == "report":
            rec.case("report (bad)", report(False))
            rec.case("report (good)", report(True))
            continue
        spec = cases.get(name)
        if spec is None:
            def missing(name=name):
                raise NotImplementedError(f"not driven: the driver has no parameters for {name}")
            rec.case(name, missing)
            continue
        fn, expect, codes, why = (spec + ([], ""))[:4] if len(spec) == 2 else spec
        rec.case(name, lambda fn=fn: fn(solver()), expect, codes, why)
    for name, spec in extra.items():
        extended = spec[2] if len(spec) > 2 else None
        rec.case(name, lambda fn=spec[0], extended=extended: fn(solver(extended)), spec[1])
    rec.run()


main()
