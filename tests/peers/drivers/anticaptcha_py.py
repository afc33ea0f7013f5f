#!/usr/bin/env python3
"""Peer driver: Anti-Captcha's official Python client (PyPI anticaptchaofficial), against the
emulator in its Anti-Captcha dialect.

The client has no base-URL option (https://api.anti-captcha.com/ is fixed in
antinetworking.make_request), so peerlib.redirect_requests rewrites that prefix to the loopback
emulator inside requests' transport adapter; the client's own code runs unchanged.

Every task module the installed package ships is driven once (the module list is read from the
package, so a new module shows up as "not driven"), plus get_balance, get_credits_balance and the
four report methods."""
import os
import pkgutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from peerlib import (API_KEY, IMG_BYTES, PROXY, SITE_KEY, SITE_URL, UA, Recorder, Refused,
                     parse_args, redirect_requests)

import anticaptchaofficial

AC_ONLY = ("an Anti-Captcha task type CapMonster does not have (the emulator stands in for "
           "CapMonster speaking Anti-Captcha's dialect); ERROR_TASK_NOT_SUPPORTED is the code for an "
           "unknown type")


def checked(s, result):
    """anticaptchaofficial returns 0 on failure and keeps the reason in err_string."""
    if result == 0:
        raise Refused(s.err_string or "the client returned 0 with no reason")
    return result


def report_result(resp):
    """The report methods return the service's JSON answer as is."""
    if not isinstance(resp, dict):
        raise Refused(f"report answer {resp!r}")
    if resp.get("errorId") != 0:
        raise Refused(f"{resp.get('errorCode')}: {resp.get('errorDescription')}")
    return resp


def configure(s, proxy=False, key=SITE_KEY):
    s.set_verbose(0)
    s.set_key(API_KEY)
    s.set_website_url(SITE_URL)
    s.set_website_key(key)
    if proxy:
        s.set_proxy_type(PROXY["proxyType"])
        s.set_proxy_address(PROXY["proxyAddress"])
        s.set_proxy_port(PROXY["proxyPort"])
        s.set_proxy_login(PROXY["proxyLogin"])
        s.set_proxy_password(PROXY["proxyPassword"])
        s.set_user_agent(UA)
    return s


def image(mod):
    s = configure(getattr(mod, "imagecaptcha")())
    return checked(s, s.solve_and_return_solution(None, body=IMG_BYTES))


def token(cls_name, proxy=False, key=SITE_KEY, setup=None):
    def run(mod):
        s = configure(getattr(mod, cls_name)(), proxy=proxy, key=key)
        if setup:
            setup(s)
        return checked(s, s.solve_and_return_solution())
    return run


def geetest(s):
    s.set_gt_key("81388ea1fc187e0c335c0a8907ff2625")
    s.set_challenge_key("2e2f0f65240058b683cb6ea21c303eea6n")


def amazon(s):
    s.set_iv("CgAHbCe2GgAAAAAj")
    s.set_context("qoJYgnKsc")
    s.set_captcha_script("https://ab.token.awswaf.com/captcha.js")
    s.set_challenge_script("https://ab.token.awswaf.com/challenge.js")


def v3(s):
    s.set_min_score(0.7)
    s.set_page_action("login")


def coordinates(cls_name):
    def run(mod):
        s = configure(getattr(mod, cls_name)())
        s.set_comment("click the traffic lights")
        return checked(s, s.solve_and_return_solution(None, body=IMG_BYTES))
    return run


def antigate(mod):
    s = configure(mod.antigateTask())
    s.set_template_name("Sign-in and wait for control text")
    s.set_variables({"login_input_css": "#login", "login_input_value": "user"})
    return checked(s, s.solve_and_return_solution())


def antibot(mod):
    s = configure(mod.antibotcookieTask(), proxy=True)
    return checked(s, s.solve_and_return_solution())


def altcha(cls_name, proxy=False):
    def run(mod):
        s = configure(getattr(mod, cls_name)(), proxy=proxy)
        s.set_challenge_url("https://peers.example.test/altcha/challenge")
        return checked(s, s.solve_and_return_solution())
    return run


# module name -> (class runner, expect, codes, why)
MODULES = {
    "imagecaptcha": (image,),
    "recaptchav2proxyless": (token("recaptchaV2Proxyless"),),
    "recaptchav2proxyon": (token("recaptchaV2ProxyOn", proxy=True),),
    "recaptchav2enterpriseproxyless": (token("recaptchaV2EnterpriseProxyless"),),
    "recaptchav2enterpriseproxyon": (token("recaptchaV2EnterpriseProxyon", proxy=True),),
    "recaptchav3proxyless": (token("recaptchaV3Proxyless", setup=v3),),
    "recaptchav3enterpriseproxyless": (token("recaptchaV3EnterpriseProxyless", setup=v3),),
    "hcaptchaproxyless": (token("hCaptchaProxyless", key="472fc7af-86a4-4382-9a49-ca9090474471"),),
    "hcaptchaproxyon": (token("hCaptchaProxyon", proxy=True, key="472fc7af-86a4-4382-9a49-ca9090474471"),),
    "funcaptchaproxyless": (token("funcaptchaProxyless", key="69A21A01-CC7B-B9C6-0F9A-E7FA06677FFC"),),
    "funcaptchaproxyon": (token("funcaptchaProxyon", proxy=True, key="69A21A01-CC7B-B9C6-0F9A-E7FA06677FFC"),),
    "geetestproxyless": (token("geetestProxyless", setup=geetest),),
    "geetestproxyon": (token("geetestProxyon", proxy=True, setup=geetest),),
    "turnstileproxyless": (token("turnstileProxyless", key="0x4AAAAAAABUYP0XeMJF0xoy"),),
    "turnstileproxyon": (token("turnstileProxyon", proxy=True, key="0x4AAAAAAABUYP0XeMJF0xoy"),),
    "amazonproxyless": (token("amazonProxyless", key="AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96", setup=amazon),),
    "amazonproxyon": (token("amazonProxyon", proxy=True, key="AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96", setup=amazon),),
    "prosopoproxyless": (token("prosopoProxyless", key="5EZU3LG31uzq1Mwi8inwqxmfvFDpj7VzwDnZwj4Q3syyxBwV"),),
    "prosopoproxyon": (token("prosopoProxyOn", proxy=True, key="5EZU3LG31uzq1Mwi8inwqxmfvFDpj7VzwDnZwj4Q3syyxBwV"),),
    "friendlycaptchaproxyless": (token("friendlyCaptchaProxyless", key="FCMGEMUD2KTDSQ5H"),
                                 "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
    "friendlycaptchaproxyon": (token("friendlyCaptchaProxyon", proxy=True, key="FCMGEMUD2KTDSQ5H"),
                               "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
    "altchaproxyless": (altcha("altchaProxyless"), "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
    "altchaproxyon": (altcha("altchaProxyon", proxy=True), "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
    "imagecoordinates": (coordinates("imagecoordinates"), "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
    "imagetocoordinates": (coordinates("imagetocoordinates"), "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
    "antigatetask": (antigate, "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
    "antibotcookietask": (antibot, "refuse", ["ERROR_TASK_NOT_SUPPORTED"], AC_ONLY),
}


def find_class(mod, lower_name):
    """The module's class whose name matches `lower_name` case-insensitively (the package's
    class names are not consistently capitalised)."""
    for n in dir(mod):
        if n.lower() == lower_name.lower() and isinstance(getattr(mod, n), type):
            return getattr(mod, n)
    raise AttributeError(f"{mod.__name__} has no class {lower_name}")


class CaseInsensitive:
    """Lets the runners above name classes without worrying about their capitalisation."""
    def __init__(self, mod):
        self.mod = mod

    def __getattr__(self, name):
        return find_class(self.mod, name)


def reports(rec):
    """The four report methods, each on a fresh task of its kind, plus the kind rule of finding 1:
    reportIncorrectRecaptcha on a Turnstile task is refused."""
    import importlib

    def solved(module, cls_name, setup=None, key=SITE_KEY):
        mod = CaseInsensitive(importlib.import_module(f"anticaptchaofficial.{module}"))
        s = configure(getattr(mod, cls_name)(), key=key)
        if setup:
            setup(s)
        if module == "imagecaptcha":
            checked(s, s.solve_and_return_solution(None, body=IMG_BYTES))
        else:
            checked(s, s.solve_and_return_solution())
        return s

    rec.case("report_incorrect_image_captcha",
             lambda: report_result(solved("imagecaptcha", "imagecaptcha").report_incorrect_image_captcha()))
    rec.case("report_incorrect_recaptcha",
             lambda: report_result(solved("recaptchav2proxyless", "recaptchaV2Proxyless").report_incorrect_recaptcha()))
    rec.case("report_correct_recaptcha",
             lambda: report_result(solved("recaptchav3proxyless", "recaptchaV3Proxyless", setup=v3).report_correct_recaptcha()))
    rec.case("report_incorrect_hcaptcha",
             lambda: report_result(solved("hcaptchaproxyless", "hCaptchaProxyless",
                                          key="472fc7af-86a4-4382-9a49-ca9090474471").report_incorrect_hcaptcha()))
    rec.case("report_incorrect_recaptcha (Turnstile task)",
             lambda: report_result(solved("turnstileproxyless", "turnstileProxyless",
                                          key="0x4AAAAAAABUYP0XeMJF0xoy").report_incorrect_recaptcha()),
             "refuse", ["ERROR_NO_SUCH_CAPCHA_ID"],
             "Anti-Captcha takes reportIncorrectRecaptcha for reCAPTCHA tasks only (errorId 16)")


def main():
    a = parse_args()
    redirect_requests("https://api.anti-captcha.com/", a.base)
    version = getattr(anticaptchaofficial, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version
        version = dist_version("anticaptchaofficial")
    rec = Recorder(f"anticaptchaofficial {version} (Python)", a)
    import importlib

    def balance():
        s = configure(importlib.import_module("anticaptchaofficial.imagecaptcha").imagecaptcha())
        b = s.get_balance()
        if b == -1:
            raise Refused(s.err_string or "get_balance returned -1")
        return {"balance": b}

    def credits():
        s = configure(importlib.import_module("anticaptchaofficial.imagecaptcha").imagecaptcha())
        c = s.get_credits_balance()
        if c == -1:
            raise Refused("the getBalance answer has no captchaCredits (the client returns -1)",
                          code="NO_CAPTCHA_CREDITS")
        return {"captchaCredits": c}

    rec.case("get_balance", balance)
    rec.case("get_credits_balance", credits, "refuse", ["NO_CAPTCHA_CREDITS"],
             "captchaCredits is Anti-Captcha's prepaid-credit balance; CapMonster sells none, so the answer "
             "has only `balance` and the client returns -1, its documented 'absent' value")
    modules = sorted(m.name for m in pkgutil.iter_modules(anticaptchaofficial.__path__)
                     if m.name != "antinetworking")
    for name in modules:
        spec = MODULES.get(name)
        if spec is None:
            def missing(name=name):
                raise NotImplementedError(f"not driven: the driver has no parameters for {name}")
            rec.case(name, missing)
            continue
        runner, expect, codes, why = (spec + ("work", [], ""))[:4] if len(spec) == 1 else spec
        mod = CaseInsensitive(importlib.import_module(f"anticaptchaofficial.{name}"))
        rec.case(name, lambda runner=runner, mod=mod: runner(mod), expect, codes, why)
    reports(rec)
    rec.run()


main()
