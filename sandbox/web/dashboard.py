"""The demo dashboard: one self-contained page (inline CSS and script); its data comes from GET overview.

The script and stylesheet are real files (``web/static/dashboard.js`` and ``.css``, package data) so that
editors and linters see them as what they are; they are inlined once, at import, so the page needs no
second request and no static route.
"""

from __future__ import annotations

from importlib import resources

from elevate_sandbox.web.html import Html, render

_STATIC = resources.files("elevate_sandbox.web") / "static"
JS = (_STATIC / "dashboard.js").read_text(encoding="utf-8")
CSS = (_STATIC / "dashboard.css").read_text(encoding="utf-8")

# Durations the clock buttons advance by (ISO 8601, as the clock endpoint takes them).
CLOCK_STEPS = (("P1D", "+1 day"), ("P7D", "+1 week"), ("P30D", "+30 days"))

BODY = """
<header>
  <h1>Elevate sandbox</h1>
  <span class="pill">tenant <b id="tenant">—</b></span>
  <span class="pill">clock <b id="now">—</b> <span id="clock-mode"></span></span>
  <span class="spacer"></span>
  <span class="group" id="clock-controls" hidden><span class="label">clock</span>{clock_buttons}
    <button type="button" id="freeze">Freeze</button></span>
  <span class="group">
    <button type="button" id="refresh">Refresh</button>
    <button type="button" id="change-token">Token</button>
    <button type="button" id="reset" class="danger">Reset tenant</button>
  </span>
</header>
<main>
  <form class="token" id="token-panel" hidden>
    <input id="token-input" name="token" type="password" autocomplete="off" placeholder="Bearer token (JWT)"
      aria-label="Bearer token">
    <button type="submit" class="primary">Use token</button>
    <span class="muted">or</span>
    <input id="tenant-input" name="tenant" placeholder="tenant (default)" aria-label="Tenant" size="16">
    <button type="button" id="new-token">New token</button>
    <p class="hint" id="token-hint"></p>
  </form>
  <div id="toast" class="toast" role="status" hidden></div>
  <noscript><p class="toast bad">The dashboard needs JavaScript; the JSON is at GET /_sandbox/overview.</p></noscript>
  <div id="content"></div>
  <footer>
    <span id="sim-note">Simulator buttons appear beside each record once the sandbox offers simulations.</span>
    Click a customer to show only their records. Payment, mandate and approval pages open in a new tab.
    Data: <code>GET /_sandbox/overview</code> · API: <code>/v1</code> · Swagger UI: <a href="../v1/ui/">/v1/ui/</a>
  </footer>
</main>
"""


def dashboard_page() -> Html:
    """The whole dashboard document."""
    buttons = Html(
        "".join(
            str(render('<button type="button" data-advance="{step}">{label}</button>', step=step, label=label))
            for step, label in CLOCK_STEPS
        )
    )
    return render(
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        "<title>Elevate sandbox dashboard</title><style>{css}</style></head><body>{body}<script>{js}</script>"
        "</body></html>\n",
        css=Html(CSS),
        body=Html(BODY.replace("{clock_buttons}", buttons)),
        js=Html(JS),
    )
