//! The element's browser and end-to-end tests, in a crate of their own so that the element's
//! model tests (`cargo test -p capital-offer-tile --lib`) never build the backend, axum or
//! fantoccini. This library is what they share (`tests/*.rs`, `benches/element.rs`):
//!
//! The WebDriver test bench: the release embed folder copied to an unrelated path, a small axum
//! server that serves it, builds host pages and answers the contract's routes per scenario, and a
//! headless Chromium driven through Debian's chromedriver.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// The URL path the embed folder is served from: deliberately unlike `dist/embed`.
pub const EMBED_PATH: &str = "/static/vendor/widgets/capital-v1";

/// The `GET /offer` answer of a delivered $15,000 offer with Rocket Rides' branding.
pub fn delivered_offer() -> Value {
    json!({
        "offer": {
            "id": "financingoffer_first", "object": "capital.financing_offer", "account": "acct_1First",
            "created": 1795000000, "expires_after": 1797811200.0, "financing_type": "flex_loan",
            "livemode": false, "product_type": "standard", "status": "delivered",
            "disclaimer_variant": "celtic_us_loan",
            "offered_terms": {"advance_amount": 1500000, "campaign_type": "newly_eligible_user", "currency": "usd",
                              "fee_amount": 150000, "previous_financing_fee_discount_rate": null, "withhold_rate": 0.12},
            "accepted_terms": null, "replacement": null, "replacement_for": null, "charged_off_at": null,
        },
        "summary": null,
        "branding": {"business_name": "Rocket Rides", "icon": null, "logo": null,
                     "primary_color": "#0a7cff", "secondary_color": "#1a1a1a"},
    })
}

/// One request the element sent.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub route: String,
    /// The query string, if any (`GET /offer?prerender=…`).
    pub query: String,
    pub body: String,
}

/// How the fake backend answers one scenario (`/api/{scenario}/...`).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub offer_status: u16,
    pub offer_body: String,
    pub offer_delay: Duration,
    pub link_url: String,
    pub link_delay: Duration,
}

impl Scenario {
    pub fn ok(state: Value) -> Self {
        Scenario {
            offer_status: 200,
            offer_body: state.to_string(),
            offer_delay: Duration::ZERO,
            link_url: "/stripe/capital/offer/test".into(),
            link_delay: Duration::ZERO,
        }
    }
}

#[derive(Default)]
struct Backend {
    scenarios: HashMap<String, Scenario>,
    calls: Vec<(String, Call)>,
    /// How long the embed folder's `.wasm` takes to answer: what the page does before the wasm.
    wasm_delay: Duration,
    /// The Content-Security-Policy violations the browser reported (`report-uri`).
    csp_reports: Vec<Value>,
}

type Shared = Arc<Mutex<Backend>>;

/// Serialises the browser tests: two cores do not run many Chromiums well.
static SERIAL: Mutex<()> = Mutex::new(());

/// Headless Chromium through chromedriver, with helpers for pages that hold the element.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    /// Chromium's profile, ours rather than chromedriver's, so that it is removed even when a
    /// test fails before `finish()`.
    profile: PathBuf,
    /// The serial turn of the test (`None` for a test's second browser, `start_another`).
    _serial: Option<MutexGuard<'static, ()>>,
}

/// A browser and the fake backend of the contract's routes.
pub struct Bench {
    pub origin: String,
    pub browser: Browser,
    backend: Shared,
}

impl std::ops::Deref for Bench {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// The workspace's root, where `dist/`, `fixtures/` and `examples/` are.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// Copies `dist/embed` (from `trunk build --release`) to a fresh directory elsewhere.
fn copy_embed_folder() -> PathBuf {
    let source = root().join("dist/embed");
    assert!(
        source.join("capital-offer-tile.js").exists(),
        "dist/embed is missing: run `trunk build --release` first (the README's test command does)"
    );
    let target = root().join("target/webdriver-site").join(format!(
        "{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
    }
    target
}

/// A loopback port nobody listens on (for a server started as a process).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session (one browser at a time).
    pub async fn start() -> Browser {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Browser::launch(Some(serial), &[]).await
    }

    /// A second browser (another profile: its own cookies) for a test that holds one already.
    pub async fn start_another() -> Browser {
        Browser::launch(None, &[]).await
    }

    /// A browser for first visits one after another (the element bench): without the
    /// back/forward cache, which keeps a page that is left alive (a server-rendered page is
    /// eligible, the others are not) and made the next page's load up to 200 ms slower under the
    /// throttled profile; a user's first visit follows no page of ours.
    pub async fn start_for_first_visits() -> Browser {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Browser::launch(Some(serial), &["--disable-features=BackForwardCache"]).await
    }

    async fn launch(serial: Option<MutexGuard<'static, ()>>, args: &[&str]) -> Browser {
        let port = free_port();
        // `CARGO_TARGET_TMPDIR` is set for tests and benches, not for this library they share.
        let profile = root()
            .join("target/tmp/chromium-profiles")
            .join(format!("{}-{port}", std::process::id()));
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver on PATH (Debian package chromium-driver)");
        Browser {
            client: connect(port, &profile, args).await,
            _driver: driver,
            profile,
            _serial: serial,
        }
    }
}

impl Bench {
    pub async fn start() -> Bench {
        let browser = Browser::start().await;
        let embed = copy_embed_folder();
        let backend: Shared = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let app = router(backend.clone(), &embed);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Bench {
            origin: format!("http://{address}"),
            browser,
            backend,
        }
    }

    pub fn scenario(&self, name: &str, scenario: Scenario) {
        self.backend
            .lock()
            .unwrap()
            .scenarios
            .insert(name.to_owned(), scenario);
    }

    pub fn update(&self, name: &str, change: impl FnOnce(&mut Scenario)) {
        change(
            self.backend
                .lock()
                .unwrap()
                .scenarios
                .get_mut(name)
                .expect("known scenario"),
        );
    }

    /// Holds every answer for the wasm back by `delay` (a slow network, seen from the page).
    pub fn delay_wasm(&self, delay: Duration) {
        self.backend.lock().unwrap().wasm_delay = delay;
    }

    pub fn calls(&self, scenario: &str) -> Vec<Call> {
        let backend = self.backend.lock().unwrap();
        backend
            .calls
            .iter()
            .filter(|(s, _)| s == scenario)
            .map(|(_, call)| call.clone())
            .collect()
    }

    pub fn posts(&self, scenario: &str, route: &str) -> Vec<Call> {
        self.calls(scenario)
            .into_iter()
            .filter(|c| c.method == "POST" && c.route == route)
            .collect()
    }

    /// Opens a plain host page: only the module script tag and `body`.
    pub async fn open(&self, body: &str) {
        let page = format!(
            "<!doctype html><html><head><meta charset=utf-8><title>host</title>\
             <script>window.__errors=[];window.__events=[];\
             addEventListener('error',e=>__errors.push(String(e.message)));\
             addEventListener('unhandledrejection',e=>__errors.push(String(e.reason)));\
             for(const n of ['capital-offer-loaded','capital-offer-launch','capital-offer-error'])\
             document.addEventListener(n,e=>__events.push({{name:n,id:e.target.id,detail:e.detail}}));</script>\
             <script type=\"module\" src=\"{EMBED_PATH}/capital-offer-tile.js\"></script>\
             </head><body style=\"margin:24px;width:420px\">{body}</body></html>"
        );
        self.backend
            .lock()
            .unwrap()
            .scenarios
            .insert("__page".into(), Scenario::ok(Value::String(page)));
        self.client
            .goto(&format!("{}/shop/dashboard/capital", self.origin))
            .await
            .unwrap();
    }

    /// Opens the preview gallery (`dist/index.html`) as `trunk serve` would serve it.
    pub async fn open_gallery(&self) {
        self.client
            .goto(&format!("{}/gallery/index.html", self.origin))
            .await
            .unwrap();
    }

    /// Opens the gallery served with [`STRICT_CSP`].
    pub async fn open_strict_gallery(&self) {
        self.client
            .goto(&format!("{}/strict-gallery/index.html", self.origin))
            .await
            .unwrap();
    }

    /// The Content-Security-Policy violations reported so far.
    pub fn csp_reports(&self) -> Vec<Value> {
        self.backend.lock().unwrap().csp_reports.clone()
    }

    pub async fn finish(self) {
        self.browser.finish().await;
    }
}

/// axe-core's browser build, from the tools prefix `.ci/install` fills.
fn axe_source() -> String {
    let prefix = std::env::var("CAPITAL_TOOLS_PREFIX").unwrap_or_else(|_| {
        format!(
            "{}/.cache/capital-offer-tile/tools",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    let path = format!("{prefix}/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run .ci/install (it installs axe-core)"))
}

impl Browser {
    /// axe-core's violations on the current page, open shadow roots included:
    /// `[{id, impact, help, nodes: [targets]}]`.
    pub async fn axe_violations(&self) -> Vec<Value> {
        self.js(&format!("{}\nreturn true;", axe_source())).await;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                                                  nodes: v.nodes.map((n) => n.target) }))),
                         (e) => done([{ id: 'axe failed', help: String(e) }]));",
                vec![],
            )
            .await
            .unwrap();
        result.as_array().cloned().unwrap_or_default()
    }
}

/// A Chrome DevTools Protocol command through chromedriver (`goog/cdp/execute`): network and
/// CPU emulation for the benchmarks.
#[derive(Debug)]
struct CdpCommand {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params}).to_string();
        (http::Method::POST, Some(body))
    }
}

impl Browser {
    /// Runs a DevTools Protocol command in the current tab.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(CdpCommand { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// A real WebDriver click on `part` inside `selector`'s shadow root: a trusted user gesture,
    /// so popup blockers treat it as they would a user's click.
    pub async fn click_for_real(&self, selector: &str, part: &str) {
        let script = format!(
            "return document.querySelector({selector:?}).shadowRoot.querySelector('[part~={part:?}]')"
        );
        let reference = self.js(&script).await;
        let id = reference
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("an element")
            .to_owned();
        fantoccini::elements::Element::from_element_id(self.client.clone(), id.into())
            .click()
            .await
            .unwrap();
    }

    /// Waits up to ten seconds for a window other than `current` and returns it.
    pub async fn new_window(
        &self,
        current: &fantoccini::wd::WindowHandle,
    ) -> fantoccini::wd::WindowHandle {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(window) = self
                .client
                .windows()
                .await
                .unwrap()
                .into_iter()
                .find(|w| w != current)
            {
                return window;
            }
            assert!(Instant::now() < deadline, "no new window opened");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// `querySelector(selector).shadowRoot.querySelector('[part~=part]').textContent`.
    pub async fn part_text(&self, selector: &str, part: &str) -> String {
        let script = format!(
            "const p = document.querySelector({selector:?})?.shadowRoot?.querySelector('[part~={part:?}]'); return p ? p.textContent : null;"
        );
        self.js(&script)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn status(&self, selector: &str) -> String {
        let script = format!(
            "return document.querySelector({selector:?})?.shadowRoot?.querySelector('[part~=\"tile\"]')?.dataset.status ?? null;"
        );
        self.js(&script)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn click(&self, selector: &str, part: &str) {
        let script = format!(
            "document.querySelector({selector:?}).shadowRoot.querySelector('[part~={part:?}]').click();"
        );
        self.js(&script).await;
    }

    /// Clicks `part` twice within one script, as fast as a double click.
    pub async fn double_click(&self, selector: &str, part: &str) {
        let script = format!(
            "const b = document.querySelector({selector:?}).shadowRoot.querySelector('[part~={part:?}]'); b.click(); b.click();"
        );
        self.js(&script).await;
    }

    /// Waits up to ten seconds for `script` (an expression) to be true.
    pub async fn until(&self, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.js(&format!("return Boolean({script});")).await == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {script}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn settled(&self, selector: &str) -> String {
        let script = format!(
            "!['loading', undefined].includes(document.querySelector({selector:?})?.shadowRoot?.querySelector('[part~=\"tile\"]')?.dataset.status)"
        );
        self.until(&script).await;
        self.status(selector).await
    }

    pub async fn events(&self, name: &str) -> Vec<Value> {
        let all = self.js("return window.__events;").await;
        all.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == name)
            .cloned()
            .collect()
    }

    pub async fn page_errors(&self) -> Vec<Value> {
        self.js("return window.__errors;")
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    pub async fn save_screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = root().join("test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn finish(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// After `finish()` Chromium has quit; a test that failed before it leaves Chromium running
    /// once chromedriver is killed. Either way, end what is left and remove the profile.
    fn drop(&mut self) {
        let pattern = format!("--user-data-dir={}", self.profile.display());
        // `pkill`/`pgrep` with these options: whether a process of this profile was found.
        let found = |command: &[&str]| {
            std::process::Command::new(command[0])
                .args(&command[1..])
                .args(["-f", "--", &pattern])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        };
        if found(&["pkill", "-KILL"]) {
            let deadline = Instant::now() + Duration::from_secs(2);
            while found(&["pgrep"]) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

async fn connect(port: u16, profile: &Path, extra_args: &[&str]) -> Client {
    let mut capabilities = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1000,1000", "--enable-precise-memory-info",
                     format!("--user-data-dir={}", profile.display())]
        }
    });
    let args = capabilities["goog:chromeOptions"]["args"]
        .as_array_mut()
        .unwrap();
    args.extend(extra_args.iter().map(|arg| json!(arg)));
    let capabilities = capabilities.as_object().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(error) if Instant::now() < deadline => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("could not start a WebDriver session: {error}"),
        }
    }
}

fn router(backend: Shared, embed: &Path) -> Router {
    Router::new()
        .route("/shop/dashboard/capital", get(page))
        .route(
            "/stripe/{*rest}",
            get(|| async {
                Html("<!doctype html><title>Stripe</title><h1>Hosted Capital page</h1>")
            }),
        )
        .route("/api/{scenario}/offer", get(offer))
        .route("/api/{scenario}/account_links", post(account_links))
        .route("/api/{scenario}/offer/mark_delivered", post(mark_delivered))
        .nest_service(
            EMBED_PATH,
            Router::new()
                .fallback_service(tower_http::services::ServeDir::new(embed))
                .layer(axum::middleware::from_fn_with_state(
                    backend.clone(),
                    slow_wasm,
                )),
        )
        .nest_service(
            "/gallery",
            tower_http::services::ServeDir::new(root().join("dist")),
        )
        // The same gallery under the strict policy a fintech dashboard runs (README, "A strict
        // Content-Security-Policy"), each violation reported to `/csp-reports`.
        .nest_service(
            "/strict-gallery",
            Router::new()
                .fallback_service(tower_http::services::ServeDir::new(root().join("dist")))
                .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                    axum::http::header::CONTENT_SECURITY_POLICY,
                    axum::http::HeaderValue::from_str(&format!(
                        "{STRICT_CSP}; report-uri /csp-reports"
                    ))
                    .unwrap(),
                )),
        )
        .route("/csp-reports", post(csp_report))
        .with_state(backend)
}

/// The policy the README says the element needs: nothing inline, `'wasm-unsafe-eval'` the one
/// addition to a `'self'`-only policy.
pub const STRICT_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' https:";

async fn csp_report(State(backend): State<Shared>, body: Bytes) -> StatusCode {
    let report = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    backend.lock().unwrap().csp_reports.push(report);
    StatusCode::NO_CONTENT
}

async fn slow_wasm(
    State(backend): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if request.uri().path().ends_with(".wasm") {
        let delay = backend.lock().unwrap().wasm_delay;
        tokio::time::sleep(delay).await;
    }
    next.run(request).await
}

fn record(
    backend: &Shared,
    scenario: &str,
    method: &'static str,
    route: &str,
    body: &Bytes,
) -> Option<Scenario> {
    record_query(backend, scenario, method, route, "", body)
}

fn record_query(
    backend: &Shared,
    scenario: &str,
    method: &'static str,
    route: &str,
    query: &str,
    body: &Bytes,
) -> Option<Scenario> {
    let mut backend = backend.lock().unwrap();
    let call = Call {
        method,
        route: route.to_owned(),
        query: query.to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    backend.calls.push((scenario.to_owned(), call));
    backend.scenarios.get(scenario).cloned()
}

async fn page(State(backend): State<Shared>) -> Html<String> {
    let page = backend
        .lock()
        .unwrap()
        .scenarios
        .get("__page")
        .map(|s| s.offer_body.clone())
        .unwrap_or_default();
    Html(serde_json::from_str::<String>(&page).unwrap_or_default())
}

fn json_response(status: u16, body: String) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    (StatusCode::from_u16(status).unwrap(), headers, body).into_response()
}

fn not_found() -> Response {
    json_response(
        404,
        json!({"error": {"type": "invalid_request_error", "message": "unknown scenario"}})
            .to_string(),
    )
}

async fn offer(
    State(backend): State<Shared>,
    UrlPath(scenario): UrlPath<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let Some(s) = record_query(&backend, &scenario, "GET", "offer", &query, &Bytes::new()) else {
        return not_found();
    };
    tokio::time::sleep(s.offer_delay).await;
    json_response(s.offer_status, s.offer_body)
}

async fn account_links(
    State(backend): State<Shared>,
    UrlPath(scenario): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(s) = record(&backend, &scenario, "POST", "account_links", &body) else {
        return not_found();
    };
    tokio::time::sleep(s.link_delay).await;
    let count = backend.lock().unwrap().calls.len();
    // Paths become absolute URLs on this server, as Stripe's links are absolute.
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let url = if s.link_url.starts_with('/') {
        format!("http://{host}{}?n={count}", s.link_url)
    } else {
        s.link_url
    };
    json_response(200, json!({"object": "account_link", "created": 1_795_000_000, "expires_at": 1_795_000_300, "url": url}).to_string())
}

async fn mark_delivered(
    State(backend): State<Shared>,
    UrlPath(scenario): UrlPath<String>,
    body: Bytes,
) -> Response {
    let Some(s) = record(&backend, &scenario, "POST", "mark_delivered", &body) else {
        return not_found();
    };
    let mut state: Value = serde_json::from_str(&s.offer_body).unwrap_or(Value::Null);
    state["offer"]["status"] = json!("delivered");
    json_response(200, state["offer"].to_string())
}

/// The reference backend in sandbox mode, in this process, serving the release build (`dist/`).
pub struct Platform {
    pub origin: String,
    pub state: capital_platform::AppState,
}

impl Platform {
    pub async fn start() -> Platform {
        Platform::start_with(|_| {}).await
    }

    /// As [`Platform::start`], with `configure` given the configuration last (its public URL is
    /// the server's own origin, and `listen` the address it listens on, until then).
    pub async fn start_with(configure: impl FnOnce(&mut capital_platform::Config)) -> Platform {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let mut config = capital_platform::Config::for_tests();
        config.dist_dir = root().join("dist");
        config.public_url = origin.clone();
        config.listen = listener.local_addr().unwrap();
        configure(&mut config);
        let state = capital_platform::AppState::new(config).await.unwrap();
        let router = capital_platform::app(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Platform { origin, state }
    }

    pub fn sandbox(&self) -> &capital_platform::sandbox::Sandbox {
        self.state.sandbox().unwrap()
    }
}

/// Signs in as `account` on the sign-in page; lands on the live sandbox page.
pub async fn sign_in(browser: &Browser, platform: &Platform, account: &str) {
    browser
        .client
        .goto(&format!("{}/sign-in", platform.origin))
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css(&format!("button[value={account}]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.until("location.pathname === '/sandbox.html' && customElements.get('capital-offer-tile') !== undefined").await;
}
