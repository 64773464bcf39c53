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
      navLabel: "Console", links: "Links", scan: "Scan with camera", downloadSvg: "SVG",
      openPage: "Open the link's page", tagSearch: "Tag", search: "Search", moreLinks: "More",
      noLinks: "No links yet.", noTagLinks: "No links with this tag.", loading: "Loading…",
      targetIs: "Target:", clicks: "Clicks", people: "People", visits: "Visits", bots: "Bots",
      groups: "Group QR codes", addGroup: "Add a group QR", groupCap: "Cap for the new group",
      qrImage: "QR image", overTime: "Visits over time", interval: "Interval",
      byHour: "by hour (48 h)", byDay: "by day (30 days)", byPlatform: "By platform",
      byOutcome: "By outcome", edit: "Edit", expiresAt: "Expires", capAt: "Click cap",
      customPolicy: "This link has a policy the boxes cannot show; it is kept unless you tick or untick a box.",
      save: "Save", saved: "Saved.", delete: "Delete…", yesDelete: "Delete", cancel: "Cancel",
      confirmDelete: "Delete this link with its counts and events? This cannot be undone.",
      deleted: "Deleted ", scanTitle: "Point the camera at a QR code", stop: "Stop",
      scanning: "Looking for a QR code…", noCamera: "The camera is not available: ",
      trend: "visits in the last 14 days: ", noVisits: "No visits yet.",
      chartTime: "Visits per bucket, total ", peak: ", peak ", at: " at ",
      live: "live code", group: "Group", used: "used", noCap: "no cap", expiresOn: "expires ",
      noExpiry: "no expiry", retire: "Retire", retired: "Retired group ", added: "Added group ",
      nearlyFull: "Nearly full: add another group QR.", expiringSoon: "Expires within 24 hours.",
      s_active: "active", s_full: "full", s_expired: "expired", s_retired: "retired",
      notGroup: "Not a QR code a live code can show: ",
      o_redirect: "redirected", o_guide: "guide page", o_deny: "denied (403)", o_page: "page",
      o_preview: "preview", o_expired: "expired", o_exhausted: "used up", o_not_found: "not found",
      o_password: "password page", o_throttled: "too many tries (429)", k_password: "the password page",
      k_throttled: "too many tries (429)",
      advanced: "Advanced options", domain: "Short domain", defaultDomain: "Default",
      password: "Password (optional)",
      passwordHint: "Visitors must enter it first. Only a hash is stored; it is never shown again.",
      expiredUrl: "When expired or used up, send visitors to (optional)",
      passQuery: "Pass the short URL's query on to the target",
      passQueryHint: "e.g. ?utm_source=group12 is added to the target; the target's own parameters win.",
      abSplit: "A/B split (optional: 2 to 10 targets with weights)", addVariant: "Add a variant",
      variantsUntil: "End the split at (optional)",
      winner: "After the split ends, everyone gets",
      winnerFirst: "the first variant (A)",
      passOverride: "The visitor's parameters win over the target's",
      domainMore: "Settings for the links on this domain (optional)",
      domainMoreHint: "They apply to links without settings of their own.",
      domainDefault: "The default domain (links made without one, and unknown hosts)",
      domain404: "Unknown codes go to (optional)",
      domainClickIds: "Click ids on counted redirects (for conversions)",
      domainPolicy: "anti-block policy",
      domainNotFound: "unknown codes → ",
      domainExpired: "expired → ",
      domainPass: "query passed on",
      domainPassOverride: "query passed on (visitor's win)",
      domainCids: "click ids",
      variant: "Variant", weight: "Weight", removeVariant: "Remove variant ",
      needTwo: "An A/B split needs at least 2 variants with a URL (or none).",
      notForLive: "Short domain, password, expired destination, pass-through and A/B apply to links, not to live codes.",
      domains: "Domains", addDomain: "Add a domain", domainName: "Host name",
      domainBase: "Base URL (optional; default https://host/)", add: "Add", remove: "Remove",
      domainsHint: "Several short domains separate brands and campaigns. suo does not rotate domains to dodge a platform's block. Adding and removing need the admin scope.",
      noDomains: "No domains: every link uses the server's own address.", isDefault: "default",
      domainAdded: "Added ", domainRemoved: "Removed ", protected: "protected",
      passBadge: "query passed on", newPassword: "New password (blank: unchanged)",
      unprotect: "Remove the password",
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
      navLabel: "控制台", links: "链接", scan: "用摄像头扫描", downloadSvg: "SVG",
      openPage: "打开链接详情", tagSearch: "标签", search: "搜索", moreLinks: "更多",
      noLinks: "还没有链接。", noTagLinks: "没有带这个标签的链接。", loading: "加载中…",
      targetIs: "目标：", clicks: "点击", people: "人数", visits: "访问", bots: "爬虫",
      groups: "群二维码", addGroup: "添加群二维码", groupCap: "新群的人数上限",
      qrImage: "二维码图片", overTime: "访问趋势", interval: "时间粒度",
      byHour: "按小时（48 小时）", byDay: "按天（30 天）", byPlatform: "按平台",
      byOutcome: "按结果", edit: "编辑", expiresAt: "过期时间", capAt: "点击上限",
      customPolicy: "这个链接的访问策略无法用勾选框表示；除非你勾选或取消勾选，否则保持不变。",
      save: "保存", saved: "已保存。", delete: "删除…", yesDelete: "删除", cancel: "取消",
      confirmDelete: "删除这个链接及其计数和访问记录？此操作无法撤销。",
      deleted: "已删除 ", scanTitle: "把摄像头对准二维码", stop: "停止",
      scanning: "正在寻找二维码…", noCamera: "无法使用摄像头：",
      trend: "最近 14 天访问：", noVisits: "还没有访问。",
      chartTime: "每个时段的访问，合计 ", peak: "，最高 ", at: "，在 ",
      live: "活码", group: "群", used: "已用", noCap: "不限", expiresOn: "过期于 ",
      noExpiry: "不过期", retire: "停用", retired: "已停用群 ", added: "已添加群 ",
      nearlyFull: "快满了：请再添加一个群二维码。", expiringSoon: "24 小时内过期。",
      s_active: "使用中", s_full: "已满", s_expired: "已过期", s_retired: "已停用",
      notGroup: "这个二维码不能用作活码：",
      o_redirect: "已跳转", o_guide: "引导页", o_deny: "拒绝（403）", o_page: "页面",
      o_preview: "预览", o_expired: "已过期", o_exhausted: "已用完", o_not_found: "不存在",
      o_password: "密码页", o_throttled: "尝试次数过多（429）", k_password: "密码页",
      k_throttled: "尝试次数过多（429）",
      advanced: "高级选项", domain: "短域名", defaultDomain: "默认",
      password: "访问密码（可选）",
      passwordHint: "访客需先输入密码。只保存其哈希值，之后不会再显示。",
      expiredUrl: "过期或用完后，把访客转到（可选）",
      passQuery: "把短链上的查询参数传给目标网址",
      passQueryHint: "例如 ?utm_source=group12 会加到目标网址上；目标网址自带的同名参数优先。",
      abSplit: "A/B 分流（可选：2 到 10 个目标及权重）", addVariant: "添加分流目标",
      variantsUntil: "分流结束时间（可选）",
      winner: "分流结束后，所有人都去",
      winnerFirst: "第一个目标（A）",
      passOverride: "访客的同名参数优先于目标网址的",
      domainMore: "此域名下短链的设置（可选）",
      domainMoreHint: "只作用于没有自己设置的短链。",
      domainDefault: "默认域名（未指定域名的短链，以及未知主机）",
      domain404: "不存在的短码跳转到（可选）",
      domainClickIds: "计数跳转附带点击 ID（用于转化追踪）",
      domainPolicy: "防红策略",
      domainNotFound: "不存在的短码 → ",
      domainExpired: "过期后 → ",
      domainPass: "传递查询参数",
      domainPassOverride: "传递查询参数（访客优先）",
      domainCids: "点击 ID",
      variant: "目标", weight: "权重", removeVariant: "删除目标 ",
      needTwo: "A/B 分流至少需要 2 个填写了网址的目标（或者一个都不填）。",
      notForLive: "短域名、密码、过期去向、参数透传和 A/B 分流只适用于普通短链，不适用于活码。",
      domains: "域名", addDomain: "添加域名", domainName: "主机名",
      domainBase: "基础网址（可选；默认 https://主机名/）", add: "添加", remove: "删除",
      domainsHint: "多个短域名用于区分品牌和活动。suo 不会为了躲避平台封禁而轮换域名。添加和删除需要 admin 权限。",
      noDomains: "没有域名：所有链接都使用服务器自己的地址。", isDefault: "默认",
      domainAdded: "已添加 ", domainRemoved: "已删除 ", protected: "已加密码",
      passBadge: "透传查询参数", newPassword: "新密码（留空：不变）",
      unprotect: "取消密码",
    },
  };

  const $ = (id) => document.getElementById(id);
  const VIEWS = ["create", "links", "link", "domains"];
  const MAX_VARIANTS = 10;
  const SVG = "http://www.w3.org/2000/svg";
  const PAGE = 20;
  let lang = sessionStorage.getItem(LANG) ||
    ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
  let liveFile = null;        // the QR image (uploaded or scanned), when it is a WeChat group
  let linksNext = null;       // the links list's next page
  let current = null;         // the link shown on the link page
  let policyDirty = false;    // the edit form's platform boxes were changed
  let linksGen = 0;           // the newest links load (older ones drop their results)
  let flash = "";             // a message for the links list once it is loaded

  function t(key) { return (T[lang] && T[lang][key]) || T.en[key] || key; }
  function label(prefix, value) {
    const key = prefix + value;
    return (T[lang] && T[lang][key]) || T.en[key] || value;
  }

  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nLabel)); });
    document.querySelectorAll("[data-platform]").forEach((el) => { el.textContent = label("p_", el.dataset.platform); });
    $("lang").textContent = lang === "zh" ? "English" : "中文";
    $("lang").setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
    $("lang").setAttribute("aria-label", lang === "zh" ? "Switch to English" : "切换到中文");
    renumber("");
    renumber("edit-");
    const none = $("domain").querySelector("option[value='']");
    if (none) { none.textContent = t("defaultDomain"); }
  }

  function say(el, text, kind) {
    el.textContent = text;
    el.className = "msg" + (kind ? " " + kind : "");
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") { node.textContent = v; } else if (v !== null && v !== undefined) { node.setAttribute(k, v); }
    }
    node.append(...children);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) { node.setAttribute(k, String(v)); }
    return node;
  }

  function boxes(container, prefix, platforms) {
    for (const p of platforms) {
      const box = el("input", { type: "checkbox", id: prefix + "-" + p, value: p, "data-testid": prefix + "-" + p });
      const span = el("span", { "data-platform": p });
      const lab = el("label", { for: box.id }, box, span);
      container.append(lab);
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

  function jsonOpts(method, body) {
    return { method: method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  }

  const enc = encodeURIComponent;
  const fmtDate = (iso) => new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en", { dateStyle: "medium", timeStyle: "short" });
  const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

  /* ---------- views ---------- */

  function signedIn() { return Boolean(sessionStorage.getItem(KEY)); }

  function route() {
    const on = signedIn();
    $("signin").hidden = on;
    $("nav").hidden = !on;
    const hash = location.hash || "#/create";
    const [, view, arg] = hash.match(/^#\/([a-z]+)\/?(.*)$/) || [null, "create", ""];
    for (const v of VIEWS) { $(v).hidden = !on || v !== view; }
    if (!on || view !== "create") { $("result").hidden = true; }
    for (const v of ["create", "links", "domains"]) {
      if (v === view || (v === "links" && view === "link")) { $("nav-" + v).setAttribute("aria-current", "page"); } else { $("nav-" + v).removeAttribute("aria-current"); }
    }
    if (!on) { return; }
    if (view === "links") { loadLinks(false); } else if (view === "link") { loadLink(decodeURIComponent(arg)); } else if (view === "domains") { loadDomainsView(); } else { loadDomainPicker(); }
  }

  function focusHeading(id) { const h = $(id); if (h) { h.focus({ preventScroll: false }); } }

  /* ---------- sign-in ---------- */

  async function signIn(ev) {
    ev.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) { say($("signin-msg"), t("noKey"), "bad"); return; }
    sessionStorage.setItem(KEY, key);
    let res;
    try {
      res = await api("links?limit=1");
    } catch (err) {
      sessionStorage.removeItem(KEY);
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
    route();
    focusHeading(($("links").hidden && $("link").hidden) ? "create-h" : ($("links").hidden ? "link-h" : "links-h"));
  }

  /* ---------- QR: upload or camera ---------- */

  async function decode(blob) {
    const form = new FormData();
    form.append("file", blob, blob.name || "frame.jpg");
    return api("qr/decode", { method: "POST", body: form });
  }

  let scanStream = null;
  let scanTimer = null;

  function stopScan() {
    if (scanTimer) { clearTimeout(scanTimer); scanTimer = null; }
    if (scanStream) { scanStream.getTracks().forEach((tr) => tr.stop()); scanStream = null; }
    const v = $("scan-video");
    v.srcObject = null;
    if ($("scanner").open) { $("scanner").close(); }
  }

  // Open the camera and send a frame to POST /qr/decode a few times a second
  // until one holds a QR code; then onFound(payload, frame) and close.
  async function scan(msgEl, onFound) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(msgEl, t("noCamera") + "getUserMedia", "bad");
      return;
    }
    try {
      scanStream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (err) {
      say(msgEl, t("noCamera") + (err && err.name ? err.name : err), "bad");
      return;
    }
    const video = $("scan-video");
    video.srcObject = scanStream;
    $("scanner").showModal();
    say($("scan-msg"), t("scanning"), "");
    try { await video.play(); } catch (_e) { /* autoplay of a muted stream is allowed */ }
    const canvas = $("scan-canvas");
    const stream = scanStream;
    const tick = async () => {
      if (scanStream !== stream) { return; }
      if (video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
        if (blob && scanStream === stream) {
          let res = null;
          try { res = await decode(new File([blob], "frame.jpg", { type: "image/jpeg" })); } catch (err) { say($("scan-msg"), t("network") + err, "bad"); }
          if (res && res.ok && scanStream === stream) {
            const payload = (await res.json()).payloads[0];
            stopScan();
            await onFound(payload, new File([blob], "scan.jpg", { type: "image/jpeg" }));
            return;
          }
          if (res && res.status === 401) { say($("scan-msg"), t("badKey") + await problemText(res), "bad"); return; }
        }
      }
      if (scanStream === stream) { scanTimer = setTimeout(tick, 300); }
    };
    scanTimer = setTimeout(tick, 200);
  }

  function setLive(on) {
    $("live-note").hidden = !on;
    $("guide-set").disabled = on;
    $("allow-set").disabled = on;
    if (on && !$("cap").value) { $("cap").value = String(LIVE_CAP); }
  }

  // What a decoded QR means for the create form.
  function usePayload(payload, file) {
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

  async function onFile() {
    liveFile = null;
    setLive(false);
    const file = $("qr-file").files[0];
    if (!file) { say($("qr-msg"), "", ""); return; }
    say($("qr-msg"), t("decoding"), "");
    let res;
    try {
      res = await decode(file);
    } catch (err) {
      say($("qr-msg"), t("network") + err, "bad");
      return;
    }
    if (!res.ok) {
      const detail = await problemText(res);
      say($("qr-msg"), (res.status === 422 ? t("noQr") : t("failed")) + detail, "bad");
      return;
    }
    usePayload((await res.json()).payloads[0], file);
  }

  function onScan() {
    liveFile = null;
    setLive(false);
    scan($("qr-msg"), async (payload, frame) => { usePayload(payload, frame); $("target-url").focus(); });
  }

  /* ---------- advanced options: password, expired URL, pass-through, A/B, domain ---------- */

  const letter = (i) => String.fromCharCode(65 + i);
  let rowKeys = 0;  // a key per variant row ever made (the winner picker's values)

  // Give each variant row of `prefix` its ids, test ids and labels (after an add, a remove or a language switch).
  function renumber(prefix) {
    const box = $(prefix + "variants");
    if (!box) { return; }
    [...box.children].forEach((row, i) => {
      const [urlLab, url, wLab, w, rm] = ["label.url", "input[type=url]", "label.weight", "input[type=number]", "button"].map((q) => row.querySelector(q));
      url.id = prefix + "variant-url-" + i;
      w.id = prefix + "variant-weight-" + i;
      url.setAttribute("data-testid", url.id);
      w.setAttribute("data-testid", w.id);
      rm.setAttribute("data-testid", prefix + "variant-remove-" + i);
      urlLab.htmlFor = url.id;
      wLab.htmlFor = w.id;
      urlLab.textContent = t("variant") + " " + letter(i) + " URL";
      wLab.textContent = t("weight");
      rm.textContent = t("remove");
      rm.setAttribute("aria-label", t("removeVariant") + letter(i));
    });
    $(prefix + "add-variant").disabled = box.children.length >= MAX_VARIANTS;
    // The winner picker offers the rows there are now. Its values are the rows'
    // own keys, not positions, so removing a row above the choice keeps it.
    const pick = $(prefix + "winner");
    const was = pick.value;
    const options = [el("option", { value: "" }, t("winnerFirst"))];
    [...box.children].forEach((row, i) => { if (i > 0) { options.push(el("option", { value: row.dataset.key }, letter(i))); } });
    pick.replaceChildren(...options);
    pick.value = [...pick.options].some((o) => o.value === was) ? was : "";
  }

  // The chosen winner as an index among the rows that will be sent (those with a URL); null for the first.
  function winnerOf(prefix) {
    const key = $(prefix + "winner").value;
    if (!key) { return null; }
    const rows = [...$(prefix + "variants").children].filter((r) => r.querySelector("input[type=url]").value.trim());
    const i = rows.findIndex((r) => r.dataset.key === key);
    return i > 0 ? i : null;
  }

  // What the pass-through controls of `prefix` say: false, "merge" or "override".
  function passQueryOf(prefix) {
    if (!$(prefix + "pass-query").checked) { return false; }
    return $(prefix + "pass-override").checked ? "override" : "merge";
  }

  function syncPassOverride(prefix) {
    const on = $(prefix + "pass-query").checked;
    $(prefix + "pass-override").disabled = !on;
    if (!on) { $(prefix + "pass-override").checked = false; }
  }

  function addVariant(prefix, url, weight) {
    const box = $(prefix + "variants");
    if (box.children.length >= MAX_VARIANTS) { return null; }
    const urlIn = el("input", { type: "url", inputmode: "url", placeholder: "https://" });
    urlIn.value = url || "";
    const wIn = el("input", { type: "number", min: "1", max: "10000", step: "1", inputmode: "numeric" });
    wIn.value = String(weight || 50);
    const rm = el("button", { type: "button", class: "secondary" });
    rowKeys += 1;
    const row = el("div", { class: "variant", "data-key": String(rowKeys) },
      el("div", { class: "url" }, el("label", { class: "url" }), urlIn),
      el("div", {}, el("label", { class: "weight" }), wIn), rm);
    rm.addEventListener("click", () => {
      const i = [...box.children].indexOf(row);
      row.remove();
      renumber(prefix);
      const next = box.children[Math.min(i, box.children.length - 1)];
      (next ? next.querySelector("input") : $(prefix + "add-variant")).focus();
    });
    box.append(row);
    renumber(prefix);
    return urlIn;
  }

  function onAddVariant(prefix) {
    const first = $(prefix + "variants").children.length === 0;
    const url = addVariant(prefix);
    if (first) { addVariant(prefix); }  // a split has at least two targets
    if (url) { url.focus(); }
  }

  // The variant rows as [{url, weight}] (rows without a URL are skipped); null when only one is left.
  function variantsOf(prefix) {
    const out = [];
    for (const row of $(prefix + "variants").children) {
      const url = row.querySelector("input[type=url]").value.trim();
      const w = parseInt(row.querySelector("input[type=number]").value, 10);
      if (url) { out.push({ url: url, weight: Number.isFinite(w) ? w : 0 }); }
    }
    return out.length === 1 ? null : out;
  }

  // The create form's advanced options as API fields; null when the A/B rows are not a split.
  function extras() {
    const out = {};
    const pw = $("password").value;
    if (pw) { out.password = pw; }
    const exp = $("expired-url").value.trim();
    if (exp) { out.expired_url = exp; }
    const pq = passQueryOf("");
    if (pq) { out.pass_query = pq === "merge" ? true : pq; }
    const vs = variantsOf("");
    if (vs === null) { return null; }
    if (vs.length) {
      out.variants = vs;
      if ($("variants-until").value) { out.variants_until = new Date($("variants-until").value).toISOString(); }
      const winner = winnerOf("");
      if (winner !== null) { out.winner = winner; }
    }
    if (!$("domain-row").hidden && $("domain").value) { out.domain = $("domain").value; }
    return out;
  }

  async function fetchDomains() {
    try {
      const res = await api("domains");
      return res.ok ? (await res.json()).domains : null;
    } catch (_e) { return null; }
  }

  // The create form's domain picker: hidden when there are no domains (or the key cannot list them).
  async function loadDomainPicker() {
    const domains = await fetchDomains();
    const sel = $("domain");
    const keep = sel.value;
    sel.replaceChildren(el("option", { value: "", text: t("defaultDomain") }));
    for (const d of domains || []) {
      sel.append(el("option", { value: d.name, text: d.name + (d.default ? " (" + t("isDefault") + ")" : "") }));
    }
    sel.value = (domains || []).some((d) => d.name === keep) ? keep : "";
    $("domain-row").hidden = !(domains && domains.length);
  }

  /* ---------- domains view ---------- */

  async function loadDomainsView(note) {
    const list = $("domains-list");
    const res = await api("domains").catch((err) => err);
    if (!(res instanceof Response)) { say($("domains-msg"), t("network") + res, "bad"); return; }
    if (!res.ok) { say($("domains-msg"), t("failed") + await problemText(res), "bad"); return; }
    const domains = (await res.json()).domains;
    list.replaceChildren();
    for (const d of domains) {
      const rm = el("button", { type: "button", class: "secondary", "data-testid": "domain-remove-" + d.name,
        "aria-label": t("remove") + " " + d.name, text: t("remove") });
      rm.addEventListener("click", () => removeDomain(d.name));
      const head = el("div", { class: "row between" }, el("strong", { text: d.name }));
      if (d.default) { head.append(el("span", { class: "badge", text: t("isDefault") })); }
      // What the domain gives its links, in one line (nothing when it gives nothing).
      const parts = [];
      if (d.policy) { parts.push(t("domainPolicy")); }
      if (d.not_found_url) { parts.push(t("domainNotFound") + d.not_found_url); }
      if (d.expired_url) { parts.push(t("domainExpired") + d.expired_url); }
      if (d.pass_query) { parts.push(t(d.pass_query === "override" ? "domainPassOverride" : "domainPass")); }
      if (d.click_ids) { parts.push(t("domainCids")); }
      const settings = el("p", { class: "hint", "data-testid": "domain-settings-" + d.name, text: parts.join(" · ") });
      settings.hidden = !parts.length;
      list.append(el("li", { "data-testid": "domain-" + d.name }, head,
        el("p", { class: "target", text: d.base_url }), settings, rm));
    }
    say($("domains-msg"), note || (domains.length ? "" : t("noDomains")), note ? "ok" : "");
  }

  async function addDomain(ev) {
    ev.preventDefault();
    const body = { name: $("domain-name").value.trim() };
    const base = $("domain-base").value.trim();
    if (base) { body.base_url = base; }
    if ($("domain-default").checked) { body.default = true; }
    const pol = policy("domain-");
    if (pol) { body.policy = pol; }
    const nf = $("domain-404").value.trim();
    if (nf) { body.not_found_url = nf; }
    const exp = $("domain-expired").value.trim();
    if (exp) { body.expired_url = exp; }
    const pq = passQueryOf("domain-");
    if (pq) { body.pass_query = pq === "merge" ? true : pq; }
    if ($("domain-click-ids").checked) { body.click_ids = true; }
    let res;
    try { res = await api("domains", jsonOpts("POST", body)); } catch (err) { say($("domains-msg"), t("network") + err, "bad"); return; }
    if (!res.ok) { say($("domains-msg"), t("failed") + await problemText(res), "bad"); return; }
    const d = await res.json();
    $("domain-form").reset();
    syncPassOverride("domain-");
    await loadDomainsView(t("domainAdded") + d.name);
  }

  async function removeDomain(name) {
    let res;
    try { res = await api("domains/" + enc(name), { method: "DELETE" }); } catch (err) { say($("domains-msg"), t("network") + err, "bad"); return; }
    if (!res.ok) { say($("domains-msg"), t("failed") + await problemText(res), "bad"); return; }
    await loadDomainsView(t("domainRemoved") + name);
    $("domain-name").focus();
  }

  /* ---------- create ---------- */

  function checked(prefix, platforms) {
    return platforms.filter((p) => $(prefix + "-" + p).checked).sort();
  }

  function policy(prefix) {
    const guide = checked(prefix + "guide", GUIDE_PLATFORMS);
    const allow = checked(prefix + "allow", ALLOW_PLATFORMS);
    if (!guide.length && !allow.length) { return null; }
    const rules = [];
    if (guide.length) { rules.push({ when: { platforms: guide }, action: "guide", name: "guide" }); }
    if (allow.length) { rules.push({ when: { platforms: allow }, action: "redirect", name: "allowed" }); }
    return { format: 1, name: "console", default: allow.length ? "deny" : "redirect", rules: rules };
  }

  function tagsOf(text) { return text.split(/[,，]/).map((s) => s.trim()).filter(Boolean); }

  function options() {
    const out = {};
    const alias = $("alias").value.trim();
    if (alias) { out.alias = alias; }
    if ($("expires").value) { out.expires_at = new Date($("expires").value).toISOString(); }
    const tags = tagsOf($("tags").value);
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
      const extra = extras();
      if (extra === null) { say(msg, t("needTwo"), "bad"); return; }
      if (liveFile && Object.keys(extra).length) { say(msg, t("notForLive"), "bad"); return; }
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
        const body = Object.assign({ url: url }, opts, extra);
        if (cap) { body.max_clicks = cap; }
        const p = policy("");
        if (p) { body.policy = p; }
        res = await api("links", jsonOpts("POST", body));
      }
    } catch (err) {
      say(msg, t("network") + err, "bad");
      return;
    }
    if (!res.ok) { say(msg, t("failed") + await problemText(res), "bad"); return; }
    const made = await res.json();
    const link = made.link || made;
    $("password").value = "";  // write-only: not kept in the page once sent
    say(msg, "", "");
    await showResult(link);
  }

  async function showResult(link) {
    $("result").hidden = false;
    const a = $("short-url");
    a.textContent = link.short_url;
    a.href = link.short_url;
    $("copy-msg").textContent = "";
    $("result-page").href = "#/link/" + enc(link.code);
    const code = enc(link.code);
    for (const [fmt, id] of [["png", "qr-download"], ["svg", "qr-svg"]]) {
      const qr = await api("links/" + code + "/qr?format=" + fmt + (fmt === "png" ? "&scale=8" : ""));
      if (!qr.ok) { continue; }
      const url = URL.createObjectURL(await qr.blob());
      if (fmt === "png") {
        $("qr-img").src = url;
        $("qr-img").alt = "QR: " + link.short_url;
        $("qr-img").hidden = false;
      }
      $(id).href = url;
      $(id).download = link.code + "." + fmt;
      $(id).hidden = false;
    }
    const list = $("explain");
    list.replaceChildren();
    for (const [who, ua] of VISITORS) {
      const li = el("li", { "data-testid": "explain-" + who });
      const r = await api("links/" + code + "/explain", jsonOpts("POST", { user_agent: ua }));
      if (r.ok) {
        const d = await r.json();
        let text = label("p_", who) + ": " + t("k_" + d.kind);
        if (d.kind === "redirect" && d.location) { text += " " + d.location; }
        li.textContent = text + " (" + d.status + ")";
      } else {
        li.textContent = label("p_", who) + ": " + await problemText(r);
      }
      list.append(li);
    }
    focusHeading("result-h");
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

  /* ---------- charts: SVG built with DOM APIs (the CSP allows no inline style) ---------- */

  // Daily or hourly buckets from `start` to now in the browser's zone, keyed by epoch ms.
  function buckets(interval, count) {
    const now = new Date();
    const out = [];
    for (let i = count - 1; i >= 0; i--) {
      const d = interval === "hour"
        ? new Date(now.getFullYear(), now.getMonth(), now.getDate(), now.getHours() - i)
        : new Date(now.getFullYear(), now.getMonth(), now.getDate() - i);
      out.push(d);
    }
    return out;
  }

  async function series(code, interval, count) {
    const slots = buckets(interval, count);
    const q = "interval=" + interval + "&tz=" + enc(zone()) + "&start=" + enc(slots[0].toISOString());
    const res = await api("links/" + enc(code) + "/timeseries?" + q);
    if (!res.ok) { throw new Error(await problemText(res)); }
    const counts = new Map();
    for (const [b, _k, n] of (await res.json()).rows) {
      const ms = new Date(b).getTime();
      counts.set(ms, (counts.get(ms) || 0) + Number(n));
    }
    return slots.map((d) => [d, counts.get(d.getTime()) || 0]);
  }

  function sparkline(points, name) {
    const w = 112, h = 28;
    const max = Math.max(1, ...points.map((p) => p[1]));
    const step = w / Math.max(1, points.length - 1);
    const total = points.reduce((a, p) => a + p[1], 0);
    const s = svg("svg", { width: w, height: h, viewBox: "0 0 " + w + " " + h, role: "img", class: "spark",
      "aria-label": name + " — " + t("trend") + total });
    const path = points.map((p, i) => (i ? "L" : "M") + (i * step).toFixed(1) + " " + (h - 2 - (p[1] / max) * (h - 4)).toFixed(1)).join(" ");
    s.append(svg("path", { d: path, fill: "none", stroke: "#0b6bcb", "stroke-width": 2, "stroke-linejoin": "round" }));
    return s;
  }

  function timeChart(points, interval) {
    const w = 480, h = 160, pad = 20;
    const max = Math.max(1, ...points.map((p) => p[1]));
    const bw = (w - pad) / points.length;
    const total = points.reduce((a, p) => a + p[1], 0);
    const fmt = (d) => interval === "hour"
      ? d.toLocaleString(lang === "zh" ? "zh-CN" : "en", { month: "numeric", day: "numeric", hour: "numeric" })
      : d.toLocaleDateString(lang === "zh" ? "zh-CN" : "en", { month: "numeric", day: "numeric" });
    const peak = points.reduce((a, p) => (p[1] > a[1] ? p : a), points[0]);
    let summary = t("chartTime") + total;
    if (total) { summary += t("peak") + peak[1] + t("at") + fmt(peak[0]); }
    const s = svg("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": summary, class: "bars", "data-total": total });
    s.append(svg("line", { x1: pad, y1: h - pad, x2: w, y2: h - pad, stroke: "#5b6670" }));
    const lab = svg("text", { x: 0, y: 14, "font-size": 15, fill: "#5b6670" });
    lab.textContent = String(max);
    s.append(lab);
    points.forEach(([d, n], i) => {
      const bh = (n / max) * (h - pad - 16);
      const r = svg("rect", { x: (pad + i * bw + 1).toFixed(1), y: (h - pad - bh).toFixed(1), width: Math.max(1, bw - 2).toFixed(1), height: bh.toFixed(1), fill: "#0b6bcb" });
      const title = svg("title");
      title.textContent = fmt(d) + ": " + n;
      r.append(title);
      s.append(r);
    });
    for (const i of [0, points.length - 1]) {
      const tx = svg("text", { x: i ? w : pad, y: h - 3, "font-size": 15, fill: "#5b6670", "text-anchor": i ? "end" : "start" });
      tx.textContent = fmt(points[i][0]);
      s.append(tx);
    }
    return s;
  }

  // Horizontal bars for a {key: count} breakdown, as a list so a screen reader reads the numbers.
  function breakdown(counts, prefix, testid) {
    const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
    if (!entries.length) { return el("p", { class: "hint", text: t("noVisits") }); }
    const max = Math.max(1, ...entries.map((e) => e[1]));
    const ul = el("ul", { class: "hbars", "data-testid": testid });
    for (const [k, n] of entries) {
      const bar = svg("svg", { width: 120, height: 14, viewBox: "0 0 120 14", "aria-hidden": "true" });
      bar.append(svg("rect", { x: 0, y: 1, width: Math.max(2, (n / max) * 120).toFixed(1), height: 12, rx: 2, fill: "#0b6bcb" }));
      ul.append(el("li", { "data-key": k }, el("span", { class: "k", text: label(prefix, k) }), bar, el("span", { class: "n", text: String(n) })));
    }
    return ul;
  }

  /* ---------- links list ---------- */

  async function loadLinks(more) {
    const list = $("links-list");
    const gen = ++linksGen;
    const tag = $("tag-search").value.trim();
    if (!more) { list.replaceChildren(); linksNext = null; }
    say($("links-msg"), t("loading"), "");
    let q = "links?limit=" + PAGE;
    if (tag) { q += "&tag=" + enc(tag); }
    if (more && linksNext) { q += "&after=" + enc(linksNext); }
    let res;
    try { res = await api(q); } catch (err) { say($("links-msg"), t("network") + err, "bad"); return; }
    if (!res.ok) { say($("links-msg"), t("failed") + await problemText(res), "bad"); return; }
    const page = await res.json();
    if (gen !== linksGen) { return; }
    linksNext = page.next;
    $("links-more").hidden = !linksNext;
    say($("links-msg"), (!more && !page.links.length) ? t(tag ? "noTagLinks" : "noLinks") : flash, flash ? "ok" : "");
    flash = "";
    await Promise.all(page.links.map((link) => { const li = linkCard(link); list.append(li); return fillCard(li, link); }));
  }

  function linkCard(link) {
    const a = el("a", { href: "#/link/" + enc(link.code), "data-testid": "link-" + link.code, text: link.code });
    const head = el("div", { class: "row between" }, a);
    if (link.live) { head.append(el("span", { class: "badge", text: t("live") })); }
    const li = el("li", { "data-code": link.code }, head, el("p", { class: "target", text: link.target }));
    if (link.tags.length) { li.append(el("p", { class: "hint", text: "# " + link.tags.join(", ") })); }
    return li;
  }

  async function fillCard(li, link) {
    const nums = el("p", { class: "row numbers-line" });
    li.append(nums);
    try {
      const [stats, points] = await Promise.all([
        api("links/" + enc(link.code) + "/stats").then((r) => (r.ok ? r.json() : null)),
        series(link.code, "day", 14),
      ]);
      if (stats) {
        nums.append(el("span", { "data-testid": "clicks-" + link.code, text: t("clicks") + " " + stats.clicks }),
          el("span", { "data-testid": "people-" + link.code, text: t("people") + " " + stats.uniques }));
      }
      nums.append(sparkline(points, link.code));
    } catch (_e) { /* a link deleted meanwhile: leave its card without numbers */ }
  }

  /* ---------- a link's page ---------- */

  function interval() { return $("by-day").checked ? "day" : "hour"; }

  async function loadLink(code) {
    say($("link-msg"), "", "");
    say($("edit-msg"), "", "");
    $("confirm").hidden = true;
    $("delete").hidden = false;
    if (!current || current.code !== code) {
      // Another link: nothing of the previous one may linger while this one loads.
      for (const id of ["chart-time", "chart-platform", "chart-outcome", "live-targets"]) { $(id).replaceChildren(); }
      for (const id of ["n-clicks", "n-people", "n-visits", "n-bots"]) { $(id).textContent = "–"; }
      $("live-box").hidden = true;
      say($("live-msg"), "", "");
      $("edit-box").open = false;
      $("link-short").textContent = "";
      $("link-target").textContent = "";
    }
    const res = await api("links/" + enc(code));
    if (!res.ok) {
      current = null;
      $("link-h").textContent = code;
      say($("link-msg"), t("failed") + await problemText(res), "bad");
      return;
    }
    const link = await res.json();
    current = link;
    $("link-h").textContent = link.code + (link.live ? " · " + t("live") : "");
    $("link-short").textContent = link.short_url;
    $("link-short").href = link.short_url;
    $("link-target").textContent = link.target;
    $("link-protected").hidden = !link.protected;
    $("link-pass").hidden = !link.pass_query;
    $("link-ab").hidden = !link.variants.length;
    $("link-ab").textContent = "A/B: " + link.variants.map((v) => v.name + " " + v.weight).join(" · ");
    fillEdit(link);
    $("live-box").hidden = !link.live;
    await Promise.all([loadStats(code), loadTime(code), link.live ? loadLive(code) : null]);
  }

  async function loadStats(code) {
    const res = await api("links/" + enc(code) + "/stats");
    if (!res.ok) { say($("link-msg"), t("failed") + await problemText(res), "bad"); return; }
    const st = await res.json();
    $("n-clicks").textContent = String(st.clicks);
    $("n-people").textContent = String(st.uniques);
    $("n-visits").textContent = String(st.visits);
    $("n-bots").textContent = String(st.bots);
    $("chart-platform").replaceChildren(breakdown(st.by_platform, "p_", "platform-bars"));
    $("chart-outcome").replaceChildren(breakdown(st.by_outcome, "o_", "outcome-bars"));
  }

  async function loadTime(code) {
    const iv = interval();
    try {
      const points = await series(code, iv, iv === "hour" ? 48 : 30);
      $("chart-time").replaceChildren(timeChart(points, iv));
      $("chart-time").dataset.interval = iv;
    } catch (err) {
      $("chart-time").replaceChildren(el("p", { class: "msg bad", text: t("failed") + err.message }));
    }
  }

  function localInput(iso) {
    if (!iso) { return ""; }
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // The console's own policy shape, or null when the link's policy is something else.
  function boxesOf(pol) {
    if (!pol) { return { guide: [], allow: [] }; }
    const out = { guide: [], allow: [] };
    for (const r of pol.rules || []) {
      const ps = (r.when && r.when.platforms) || [];
      const keys = Object.keys(r.when || {});
      if (keys.length !== 1 || keys[0] !== "platforms") { return null; }
      if (r.action === "guide") { out.guide = ps; } else if (r.action === "redirect" && r.name === "allowed") { out.allow = ps; } else { return null; }
    }
    if (pol.default !== (out.allow.length ? "deny" : "redirect")) { return null; }
    if (![...out.guide].every((p) => GUIDE_PLATFORMS.includes(p)) || ![...out.allow].every((p) => ALLOW_PLATFORMS.includes(p))) { return null; }
    return out;
  }

  function fillEdit(link) {
    $("edit-url").value = link.target;
    $("edit-url").disabled = Boolean(link.live);
    $("edit-expires").value = localInput(link.expires_at);
    $("edit-cap").value = link.max_clicks ? String(link.max_clicks) : "";
    $("edit-tags").value = link.tags.join(", ");
    const b = boxesOf(link.policy);
    $("policy-note").hidden = b !== null;
    for (const p of GUIDE_PLATFORMS) { $("edit-guide-" + p).checked = Boolean(b && b.guide.includes(p)); }
    for (const p of ALLOW_PLATFORMS) { $("edit-allow-" + p).checked = Boolean(b && b.allow.includes(p)); }
    policyDirty = false;
    $("edit-password").value = "";
    $("edit-unprotect").checked = false;
    $("edit-unprotect-row").hidden = !link.protected;
    $("edit-expired-url").value = link.expired_url || "";
    $("edit-pass-query").checked = Boolean(link.pass_query);
    $("edit-pass-override").checked = link.pass_query === "override";
    $("edit-pass-override").disabled = !link.pass_query;
    $("edit-variants").replaceChildren();
    for (const v of link.variants) { addVariant("edit-", v.url, v.weight); }
    renumber("edit-");
    $("edit-variants-until").value = localInput(link.variants_until);
    const rows = $("edit-variants").children;
    $("edit-winner").value = link.winner && rows[link.winner] ? rows[link.winner].dataset.key : "";
  }

  // The edit form's issue-15 fields that differ from the link as loaded; null when the A/B rows are not a split.
  function extraChanges(link) {
    const out = {};
    const pw = $("edit-password").value;
    if (pw) { out.password = pw; } else if (link.protected && $("edit-unprotect").checked) { out.password = null; }
    const exp = $("edit-expired-url").value.trim() || null;
    if (exp !== (link.expired_url || null)) { out.expired_url = exp; }
    const pq = passQueryOf("edit-");
    if (pq !== (link.pass_query || false)) { out.pass_query = pq; }
    const vs = variantsOf("edit-");
    if (vs === null) { return null; }
    const had = link.variants.map((v) => ({ url: v.url, weight: v.weight }));
    if (JSON.stringify(vs) !== JSON.stringify(had)) { out.variants = vs.length ? vs : null; }
    const until = $("edit-variants-until").value;
    if (until !== localInput(link.variants_until)) { out.variants_until = until ? new Date(until).toISOString() : null; }
    // Sent when it changed, and with any change of the rows (an index means nothing without them).
    const winner = winnerOf("edit-");
    if (winner !== (link.winner || null) || (out.variants !== undefined && winner !== null)) { out.winner = winner; }
    return out;
  }

  async function save(ev) {
    ev.preventDefault();
    if (!current) { return; }
    const body = {
      expires_at: $("edit-expires").value ? new Date($("edit-expires").value).toISOString() : null,
      max_clicks: $("edit-cap").value ? parseInt($("edit-cap").value, 10) : null,
      tags: tagsOf($("edit-tags").value),
    };
    if (!current.live) { body.url = $("edit-url").value.trim(); }
    if (policyDirty) { body.policy = policy("edit-"); }
    const extra = extraChanges(current);
    if (extra === null) { say($("edit-msg"), t("needTwo"), "bad"); return; }
    Object.assign(body, extra);
    const res = await api("links/" + enc(current.code), jsonOpts("PATCH", body));
    if (!res.ok) { say($("edit-msg"), t("failed") + await problemText(res), "bad"); return; }
    say($("edit-msg"), t("saved"), "ok");
    await loadLink(current.code);
    say($("edit-msg"), t("saved"), "ok");
  }

  async function reallyDelete() {
    if (!current) { return; }
    const code = current.code;
    const res = await api("links/" + enc(code), { method: "DELETE" });
    if (!res.ok) { say($("link-msg"), t("failed") + await problemText(res), "bad"); return; }
    $("confirm").hidden = true;
    current = null;
    flash = t("deleted") + code;
    location.hash = "#/links";
  }

  /* ---------- live codes ---------- */

  async function loadLive(code) {
    $("live-box").hidden = false;
    const res = await api("live/" + enc(code));
    const list = $("live-targets");
    if (!res.ok) { say($("live-msg"), t("failed") + await problemText(res), "bad"); return; }
    const live = await res.json();
    list.replaceChildren();
    const soon = Date.now() + 24 * 3600 * 1000;
    for (const tg of live.targets) {
      const li = el("li", { "data-testid": "target-" + tg.id, "data-state": tg.state });
      const head = el("div", { class: "row between" },
        el("strong", { text: t("group") + " #" + tg.id }),
        el("span", { class: "badge state-" + tg.state, text: label("s_", tg.state) }));
      li.append(head, el("p", { class: "target", text: tg.payload }));
      const usedText = tg.cap ? tg.used + " / " + tg.cap : tg.used + " (" + t("noCap") + ")";
      const line = el("p", { class: "row" });
      if (tg.cap) {
        const meter = el("meter", { min: 0, max: tg.cap, value: tg.used, low: Math.floor(tg.cap * 0.7), high: Math.ceil(tg.cap * 0.9) - 0.5, optimum: 0,
          "aria-label": t("group") + " #" + tg.id + " " + t("used") + " " + usedText, "data-testid": "fill-" + tg.id });
        line.append(meter);
      }
      line.append(el("span", { "data-testid": "used-" + tg.id, text: t("used") + " " + usedText }));
      li.append(line);
      li.append(el("p", { class: "hint", text: tg.expires_at ? t("expiresOn") + fmtDate(tg.expires_at) : t("noExpiry") }));
      if (tg.state === "active") {
        const warns = [];
        if (tg.fill !== null && tg.fill >= 0.9) { warns.push(t("nearlyFull")); }
        if (tg.expires_at && new Date(tg.expires_at).getTime() <= soon) { warns.push(t("expiringSoon")); }
        if (warns.length) { li.append(el("p", { class: "note warn", "data-testid": "warn-" + tg.id, text: warns.join(" ") })); }
      }
      if (tg.state !== "retired") {
        const b = el("button", { type: "button", class: "secondary", "data-testid": "retire-" + tg.id, text: t("retire") });
        b.addEventListener("click", () => retire(code, tg.id));
        li.append(b);
      }
      list.append(li);
    }
  }

  async function retire(code, id) {
    const res = await api("live/" + enc(code) + "/targets/" + id, { method: "DELETE" });
    if (!res.ok) { say($("live-msg"), t("failed") + await problemText(res), "bad"); return; }
    await loadLive(code);
    say($("live-msg"), t("retired") + "#" + id, "ok");
  }

  async function addTarget(file) {
    if (!current) { return; }
    const form = new FormData();
    form.append("file", file, file.name || "group.png");
    if ($("live-cap").value) { form.append("cap", $("live-cap").value); }
    say($("live-msg"), t("decoding"), "");
    let res;
    try { res = await api("live/" + enc(current.code) + "/targets", { method: "POST", body: form }); } catch (err) { say($("live-msg"), t("network") + err, "bad"); return; }
    if (!res.ok) { say($("live-msg"), (res.status === 422 ? t("notGroup") : t("failed")) + await problemText(res), "bad"); return; }
    const tg = await res.json();
    $("live-file").value = "";
    await loadLive(current.code);
    say($("live-msg"), t("added") + "#" + tg.id, "ok");
  }

  /* ---------- wiring ---------- */

  function init() {
    boxes($("guide-boxes"), "guide", GUIDE_PLATFORMS);
    boxes($("allow-boxes"), "allow", ALLOW_PLATFORMS);
    boxes($("edit-guide-boxes"), "edit-guide", GUIDE_PLATFORMS);
    boxes($("edit-allow-boxes"), "edit-allow", ALLOW_PLATFORMS);
    boxes($("domain-guide-boxes"), "domain-guide", GUIDE_PLATFORMS);
    boxes($("domain-allow-boxes"), "domain-allow", ALLOW_PLATFORMS);
    applyLang();
    $("lang").addEventListener("click", () => {
      lang = lang === "zh" ? "en" : "zh";
      sessionStorage.setItem(LANG, lang);
      applyLang();
      if (current && !$("link").hidden) { loadLink(current.code); }
      if (!$("links").hidden) { loadLinks(false); }
    });
    $("signin-form").addEventListener("submit", signIn);
    $("logout").addEventListener("click", () => { sessionStorage.removeItem(KEY); route(); focusHeading("signin-h"); });
    $("qr-file").addEventListener("change", onFile);
    $("scan").addEventListener("click", onScan);
    $("scan-stop").addEventListener("click", stopScan);
    $("scanner").addEventListener("close", stopScan);
    $("target-url").addEventListener("input", () => { if (liveFile) { liveFile = null; setLive(false); } });
    $("create-form").addEventListener("submit", create);
    $("copy").addEventListener("click", copy);
    $("links-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadLinks(false); });
    $("links-more").addEventListener("click", () => loadLinks(true));
    for (const r of ["by-hour", "by-day"]) { $(r).addEventListener("change", () => { if (current) { loadTime(current.code); } }); }
    $("edit-form").addEventListener("submit", save);
    $("add-variant").addEventListener("click", () => onAddVariant(""));
    $("pass-query").addEventListener("change", () => syncPassOverride(""));
    $("edit-pass-query").addEventListener("change", () => syncPassOverride("edit-"));
    $("domain-pass-query").addEventListener("change", () => syncPassOverride("domain-"));
    $("edit-add-variant").addEventListener("click", () => onAddVariant("edit-"));
    $("domain-form").addEventListener("submit", addDomain);
    $("edit-form").addEventListener("change", (ev) => { if (ev.target.type === "checkbox" && ev.target.closest("#edit-guide-set, #edit-allow-set")) { policyDirty = true; } });
    $("delete").addEventListener("click", () => { $("confirm").hidden = false; $("delete").hidden = true; $("confirm-no").focus(); });
    $("confirm-no").addEventListener("click", () => { $("confirm").hidden = true; $("delete").hidden = false; $("delete").focus(); });
    $("confirm-yes").addEventListener("click", reallyDelete);
    $("live-file").addEventListener("change", () => { const f = $("live-file").files[0]; if (f) { addTarget(f); } });
    $("live-scan").addEventListener("click", () => scan($("live-msg"), async (_payload, frame) => addTarget(frame)));
    window.addEventListener("hashchange", () => {
      route();
      const v = VIEWS.find((x) => !$(x).hidden);
      if (v) { focusHeading(v + "-h"); }
    });
    route();
  }

  init();
})();
