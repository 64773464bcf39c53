/* suo operator console: vanilla JS, no build step, no third-party code.
 * Talks only to the management API (its base URL comes from <meta name="suo-api">).
 * The policy it sends mirrors suo.antiblock.AccessPolicy.to_dict():
 *   {"format": 1, "name": "console", "default": "deny",
 *    "rules": [{"when": {"platforms": ["qq", "wechat"]}, "action": "guide", "name": "guide"},
 *              {"when": {"platforms": ["browser", "qq", "wechat"]}, "action": "redirect", "name": "allowed"}]}
 */
"use strict";

(function () {
  const API = new URL(document.querySelector('meta[name="suo-api"]').content, location.href);
  const KEY = "suo.console.key";
  const LANG = "suo.console.lang";
  const GUIDE_PLATFORMS = ["wechat", "wecom", "qq", "alipay", "weibo", "dingtalk", "douyin", "feishu"];
  const ALLOW_PLATFORMS = [...GUIDE_PLATFORMS, "browser"];
  const GROUP = /^https:\/\/weixin\.qq\.com\/g\//i;
  const LIVE_CAP = 200;
  const VISITORS = [
    ["wechat", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI Language/zh_CN"],
    ["qq", "Mozilla/5.0 (Linux; Android 13; PGT-AN10 Build/TP1A.220905.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/6.2 TBS/047205 Mobile Safari/537.36 V1_AND_SQ_8.9.58_4108_YYB_D QQ/8.9.58.11050 NetType/WIFI WebP/0.3.0 AppId/537176903"],
    ["browser", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"],
  ];

  const T = {
    en: {
      title: "suo console", signin: "Sign in", apiKey: "API key",
      keyHint: "Kept in this tab only (sessionStorage), sent as a Bearer token.",
      login: "Sign in", logout: "Sign out", create: "Create", targetUrl: "Target URL",
      qrFile: "…or a QR image",
      liveNote: "This QR is a WeChat group: a live code is made. Guide pages do not apply to group joins (WeChat opens the group itself), so the platform boxes are off.",
      guideFor: "Show the “open in browser” guide in", allowFor: "Allow only (none ticked: everyone)",
      more: "More options", alias: "Alias (optional)", expires: "Expires (optional)",
      cap: "Click cap (optional)", tags: "Tags (comma-separated)", createBtn: "Create short link",
      result: "Result", copy: "Copy", copied: "Copied.", download: "Download QR (PNG)",
      seeTitle: "What would each visitor see?",
      badKey: "Sign-in failed: ", noKey: "Enter an API key.", signedIn: "Signed in.",
      decoding: "Reading the QR image…", decoded: "Found: ", noQr: "No QR code found in this file: ",
      notWeb: "This QR holds text that is not a web link, so it cannot be shortened: ",
      needTarget: "Enter a target URL or upload a QR image.", creating: "Creating…",
      failed: "The API refused: ", network: "Cannot reach the API: ",
      p_wechat: "WeChat", p_wecom: "WeCom", p_qq: "QQ", p_alipay: "Alipay", p_weibo: "Weibo",
      p_dingtalk: "DingTalk", p_douyin: "Douyin", p_feishu: "Feishu", p_browser: "Browser",
      k_redirect: "redirect to", k_guide: "the “open in browser” guide page", k_deny: "blocked (403)",
      k_page: "a page", k_preview: "a preview page", k_expired: "expired", k_exhausted: "used up",
      k_not_found: "not found",
    },
    zh: {
      title: "suo 控制台", signin: "登录", apiKey: "API 密钥",
      keyHint: "只保存在本标签页（sessionStorage），以 Bearer 令牌发送。",
      login: "登录", logout: "退出", create: "新建", targetUrl: "目标网址",
      qrFile: "…或上传二维码图片",
      liveNote: "这是微信群二维码：将生成活码。引导页不适用于进群（微信会直接打开群），所以平台选项已停用。",
      guideFor: "在这些应用中显示“在浏览器打开”引导页", allowFor: "只允许（都不勾选：所有人）",
      more: "更多选项", alias: "自定义短码（可选）", expires: "过期时间（可选）",
      cap: "点击上限（可选）", tags: "标签（逗号分隔）", createBtn: "生成短链",
      result: "结果", copy: "复制", copied: "已复制。", download: "下载二维码（PNG）",
      seeTitle: "不同访客会看到什么？",
      badKey: "登录失败：", noKey: "请输入 API 密钥。", signedIn: "已登录。",
      decoding: "正在识别二维码…", decoded: "识别结果：", noQr: "这个文件里没有找到二维码：",
      notWeb: "二维码内容不是网址，无法生成短链：",
      needTarget: "请填写目标网址或上传二维码图片。", creating: "正在生成…",
      failed: "API 拒绝了请求：", network: "无法连接 API：",
      p_wechat: "微信", p_wecom: "企业微信", p_qq: "QQ", p_alipay: "支付宝", p_weibo: "微博",
      p_dingtalk: "钉钉", p_douyin: "抖音", p_feishu: "飞书", p_browser: "浏览器",
      k_redirect: "跳转到", k_guide: "“在浏览器打开”引导页", k_deny: "拒绝访问（403）",
      k_page: "一个页面", k_preview: "预览页", k_expired: "已过期", k_exhausted: "已用完",
      k_not_found: "不存在",
    },
  };

  const $ = (id) => document.getElementById(id);
  let lang = sessionStorage.getItem(LANG) ||
    ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
  let decodedPayload = null;  // what the uploaded QR holds
  let liveFile = null;        // the uploaded file, when it is a WeChat group

  function t(key) { return (T[lang] && T[lang][key]) || T.en[key] || key; }

  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-platform]").forEach((el) => { el.textContent = t("p_" + el.dataset.platform); });
    $("lang").textContent = lang === "zh" ? "English" : "中文";
    $("lang").setAttribute("aria-label", lang === "zh" ? "Switch to English" : "切换到中文");
  }

  function say(el, text, kind) {
    el.textContent = text;
    el.className = "msg" + (kind ? " " + kind : "");
  }

  function boxes(container, prefix, platforms) {
    for (const p of platforms) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = prefix + "-" + p;
      box.value = p;
      box.dataset.testid = prefix + "-" + p;
      box.setAttribute("data-testid", prefix + "-" + p);
      const span = document.createElement("span");
      span.dataset.platform = p;
      label.htmlFor = box.id;
      label.append(box, span);
      container.append(label);
    }
  }

  async function problemText(res) {
    try {
      const body = await res.json();
      if (body && (body.detail || body.title)) {
        return body.detail ? String(body.detail) : String(body.title);
      }
    } catch (_e) { /* not JSON */ }
    return res.status + " " + res.statusText;
  }

  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = Object.assign({ Authorization: "Bearer " + (sessionStorage.getItem(KEY) || "") }, opts.headers || {});
    return fetch(new URL(path, API), opts);
  }

  function showSignedIn(on) {
    $("signin").hidden = on;
    $("create").hidden = !on;
    if (!on) { $("result").hidden = true; }
  }

  async function signIn(ev) {
    ev.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) { say($("signin-msg"), t("noKey"), "bad"); return; }
    sessionStorage.setItem(KEY, key);
    let res;
    try {
      res = await api("links?limit=1");
    } catch (err) {
      say($("signin-msg"), t("network") + err, "bad");
      return;
    }
    // 403 means the key is valid but cannot list links: still signed in.
    if (res.status === 401) {
      sessionStorage.removeItem(KEY);
      say($("signin-msg"), t("badKey") + await problemText(res), "bad");
      return;
    }
    say($("signin-msg"), "", "");
    $("api-key").value = "";
    showSignedIn(true);
  }

  function setLive(on) {
    $("live-note").hidden = !on;
    $("guide-set").disabled = on;
    $("allow-set").disabled = on;
    if (on && !$("cap").value) { $("cap").value = String(LIVE_CAP); }
  }

  async function onFile() {
    decodedPayload = null;
    liveFile = null;
    setLive(false);
    const file = $("qr-file").files[0];
    if (!file) { say($("qr-msg"), "", ""); return; }
    say($("qr-msg"), t("decoding"), "");
    const form = new FormData();
    form.append("file", file);
    let res;
    try {
      res = await api("qr/decode", { method: "POST", body: form });
    } catch (err) {
      say($("qr-msg"), t("network") + err, "bad");
      return;
    }
    if (!res.ok) {
      const detail = await problemText(res);
      say($("qr-msg"), (res.status === 422 ? t("noQr") : t("failed")) + detail, "bad");
      return;
    }
    const payload = (await res.json()).payloads[0];
    decodedPayload = payload;
    if (GROUP.test(payload)) {
      liveFile = file;
      $("target-url").value = "";
      setLive(true);
      say($("qr-msg"), t("decoded") + payload, "ok");
    } else if (/^https?:\/\//i.test(payload)) {
      $("target-url").value = payload;
      say($("qr-msg"), t("decoded") + payload, "ok");
    } else {
      say($("qr-msg"), t("notWeb") + payload, "bad");
    }
  }

  function checked(prefix, platforms) {
    return platforms.filter((p) => $(prefix + "-" + p).checked).sort();
  }

  function policy() {
    const guide = checked("guide", GUIDE_PLATFORMS);
    const allow = checked("allow", ALLOW_PLATFORMS);
    if (!guide.length && !allow.length) { return null; }
    const rules = [];
    if (guide.length) { rules.push({ when: { platforms: guide }, action: "guide", name: "guide" }); }
    if (allow.length) { rules.push({ when: { platforms: allow }, action: "redirect", name: "allowed" }); }
    return { format: 1, name: "console", default: allow.length ? "deny" : "redirect", rules: rules };
  }

  function options() {
    const out = {};
    const alias = $("alias").value.trim();
    if (alias) { out.alias = alias; }
    if ($("expires").value) { out.expires_at = new Date($("expires").value).toISOString(); }
    const tags = $("tags").value.split(",").map((s) => s.trim()).filter(Boolean);
    if (tags.length) { out.tags = tags; }
    return out;
  }

  async function create(ev) {
    ev.preventDefault();
    const msg = $("create-msg");
    const opts = options();
    const cap = $("cap").value ? parseInt($("cap").value, 10) : null;
    let res;
    say(msg, t("creating"), "");
    try {
      if (liveFile) {
        const form = new FormData();
        form.append("files", liveFile);
        if (cap) { form.append("cap", String(cap)); }
        if (opts.alias) { form.append("alias", opts.alias); }
        if (opts.expires_at) { form.append("expires_at", opts.expires_at); }
        if (opts.tags) { form.append("tags", opts.tags.join(",")); }
        res = await api("live", { method: "POST", body: form });
      } else {
        const url = $("target-url").value.trim();
        if (!url) { say(msg, t("needTarget"), "bad"); return; }
        const body = Object.assign({ url: url }, opts);
        if (cap) { body.max_clicks = cap; }
        const p = policy();
        if (p) { body.policy = p; }
        res = await api("links", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
      }
    } catch (err) {
      say(msg, t("network") + err, "bad");
      return;
    }
    if (!res.ok) { say(msg, t("failed") + await problemText(res), "bad"); return; }
    const made = await res.json();
    const link = made.link || made;
    say(msg, "", "");
    await showResult(link);
  }

  async function showResult(link) {
    $("result").hidden = false;
    const a = $("short-url");
    a.textContent = link.short_url;
    a.href = link.short_url;
    $("copy-msg").textContent = "";
    const code = encodeURIComponent(link.code);
    const qr = await api("links/" + code + "/qr?format=png&scale=8");
    if (qr.ok) {
      const url = URL.createObjectURL(await qr.blob());
      $("qr-img").src = url;
      $("qr-img").alt = "QR: " + link.short_url;
      $("qr-img").hidden = false;
      $("qr-download").href = url;
      $("qr-download").download = link.code + ".png";
      $("qr-download").hidden = false;
    }
    const list = $("explain");
    list.replaceChildren();
    for (const [who, ua] of VISITORS) {
      const li = document.createElement("li");
      li.dataset.testid = "explain-" + who;
      li.setAttribute("data-testid", "explain-" + who);
      const r = await api("links/" + code + "/explain", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user_agent: ua }),
      });
      if (r.ok) {
        const d = await r.json();
        let text = t("p_" + who) + ": " + t("k_" + d.kind);
        if (d.kind === "redirect" && d.location) { text += " " + d.location; }
        li.textContent = text + " (" + d.status + ")";
      } else {
        li.textContent = t("p_" + who) + ": " + await problemText(r);
      }
      list.append(li);
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText($("short-url").textContent);
      $("copy-msg").textContent = t("copied");
    } catch (_e) {
      const range = document.createRange();
      range.selectNodeContents($("short-url"));
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  }

  function init() {
    boxes($("guide-boxes"), "guide", GUIDE_PLATFORMS);
    boxes($("allow-boxes"), "allow", ALLOW_PLATFORMS);
    applyLang();
    $("lang").addEventListener("click", () => {
      lang = lang === "zh" ? "en" : "zh";
      sessionStorage.setItem(LANG, lang);
      applyLang();
    });
    $("signin-form").addEventListener("submit", signIn);
    $("logout").addEventListener("click", () => { sessionStorage.removeItem(KEY); showSignedIn(false); });
    $("qr-file").addEventListener("change", onFile);
    $("target-url").addEventListener("input", () => { if (liveFile) { liveFile = null; setLive(false); } });
    $("create-form").addEventListener("submit", create);
    $("copy").addEventListener("click", copy);
    showSignedIn(Boolean(sessionStorage.getItem(KEY)));
  }

  init();
})();
