//! Drives the router in-process with `oneshot`: sign in, call routes, read JSON.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use capital_platform::{AppState, Config, app};
use http_body_util::BodyExt;
use secrecy::ExposeSecret;
use serde_json::Value;
use tower::ServiceExt;

pub(crate) const ROCKET: &str = "acct_1RocketCourier";

/// The database the suites run on: a fresh database of the PostgreSQL cluster named by
/// `CAPITAL_TEST_POSTGRES` (the project's throwaway one, `scripts/postgres`), else an in-memory
/// SQLite database. One per call, so that tests never share state.
pub(crate) async fn fresh_database_url() -> String {
    let Ok(admin) = std::env::var("CAPITAL_TEST_POSTGRES") else {
        return "sqlite::memory:".to_owned();
    };
    fresh_postgres_database(&admin).await
}

/// A new, empty database on the cluster at `admin` (a URL of one of its databases).
pub(crate) async fn fresh_postgres_database(admin: &str) -> String {
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        rand::random::<u32>()
    );
    let mut connection = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("CAPITAL_TEST_POSTGRES={admin}: {e}"));
    sqlx::Executor::execute(&mut connection, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').expect("a database URL");
    format!("{base}/{name}")
}

/// A database two instances can share: a fresh PostgreSQL database, or a SQLite file.
pub(crate) async fn shared_database_url(name: &str) -> String {
    match std::env::var("CAPITAL_TEST_POSTGRES") {
        Ok(admin) => fresh_postgres_database(&admin).await,
        Err(_) => {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
                "capital-{name}-{}-{}",
                std::process::id(),
                rand::random::<u32>()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/capital.db", dir.display())
        }
    }
}

/// Which database this run uses, for messages.
pub(crate) fn database_kind() -> &'static str {
    if std::env::var_os("CAPITAL_TEST_POSTGRES").is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}
pub(crate) const BAKERY: &str = "acct_1SunsetBakery";

pub(crate) struct TestApp {
    pub router: Router,
    pub state: AppState,
}

pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl TestApp {
    pub(crate) async fn new() -> TestApp {
        TestApp::with_config(Config::for_tests()).await
    }

    /// The app on `config`; with `CAPITAL_TEST_POSTGRES` set (scripts/test sets it for its
    /// PostgreSQL run), an in-memory SQLite database becomes a fresh PostgreSQL one.
    pub(crate) async fn with_config(mut config: Config) -> TestApp {
        if config.database_url().expose_secret() == "sqlite::memory:" {
            config.database_url = Some(fresh_database_url().await.into());
        }
        let state = AppState::new(config).await.expect("state");
        TestApp {
            router: app(state.clone()),
            state,
        }
    }

    /// Sends `request`; an answer of a route the OpenAPI document describes is checked against
    /// it ([`contract::check`]), so that every suite holds the document true.
    pub(crate) async fn send(&self, request: Request<Body>) -> Answer {
        let method = request.method().clone();
        let uri = request.uri().clone();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let answer = Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        };
        contract::check(&method, uri.path(), &answer);
        answer
    }

    /// Signs in as `account`: through the sign-in form with `--identity demo` (returns the
    /// session cookie), or with a fresh session token with `--identity token` (returns
    /// `Bearer …`, which the helpers below send as `Authorization`).
    pub(crate) async fn sign_in(&self, account: &str) -> String {
        if let Some(secret) = &self.state.config.identity_secret {
            let token = capital_platform::http::identity::token::mint_hs256(
                secret,
                account,
                &self.state.config.identity_audience(),
                now_seconds(),
                600,
            )
            .unwrap();
            return format!("Bearer {token}");
        }
        let answer = self
            .send(
                Request::post("/sign-in")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(format!("account={account}")))
                    .unwrap(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
        let cookie = answer.headers.get("set-cookie").unwrap().to_str().unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }

    pub(crate) async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(credential_header(cookie), cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub(crate) async fn post_json(&self, path: &str, cookie: Option<&str>, body: Value) -> Answer {
        let mut request = Request::post(path).header("content-type", "application/json");
        if let Some(cookie) = cookie {
            request = request.header(credential_header(cookie), cookie);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// A POST with an arbitrary content type and body, as a client could send it.
    pub(crate) async fn post_raw(
        &self,
        path: &str,
        cookie: &str,
        content_type: &str,
        body: &str,
    ) -> Answer {
        let request = Request::post(path)
            .header(credential_header(cookie), cookie)
            .header("content-type", content_type);
        self.send(request.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    /// A sandbox dashboard action (`/sandbox/admin/...`); panics unless it succeeds.
    /// The sandbox CLI's credential (`Authorization: Bearer` with the admin token), for
    /// [`TestApp::get`] and [`TestApp::post_json`] on the sandbox's admin routes.
    pub(crate) fn admin_credential(&self) -> String {
        use secrecy::ExposeSecret;
        let token = self
            .state
            .sandbox_admin_token
            .as_ref()
            .expect("sandbox mode");
        format!("Bearer {}", token.expose_secret())
    }

    /// A sandbox dashboard action, as the CLI does it (with the admin token).
    pub(crate) async fn admin(&self, path: &str, body: Value) -> Value {
        let admin = self.admin_credential();
        let answer = self
            .post_json(&format!("/sandbox/admin{path}"), Some(&admin), body)
            .await;
        assert!(
            answer.status.is_success(),
            "{path}: {} {}",
            answer.status,
            answer.text
        );
        answer.json()
    }

    pub(crate) async fn offer_state(&self, cookie: &str) -> Value {
        let answer = self.get("/api/capital/offer", Some(cookie)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.json()
    }
}

/// The server binary the process tests run: `CAPITAL_TEST_SERVER_BINARY` (the test command sets
/// it to the release build, as a platform deploys it), else this test build's binary.
pub(crate) fn server_binary() -> String {
    std::env::var("CAPITAL_TEST_SERVER_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_capital-platform").to_owned())
}

/// The stand-in Stripe (`examples/stand_in_stripe.rs`): `CAPITAL_TEST_STAND_IN_STRIPE` (the test
/// command builds it in release beside the server), else this profile's build of the example.
pub(crate) fn stand_in_stripe_binary() -> std::path::PathBuf {
    if let Ok(path) = std::env::var("CAPITAL_TEST_STAND_IN_STRIPE") {
        return path.into();
    }
    // Integration tests run from target/<profile>/deps; examples are built to target/<profile>/examples.
    let exe = std::env::current_exe().expect("the test's path");
    let binary = exe
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target/<profile>")
        .join("examples")
        .join(format!("stand_in_stripe{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "no stand-in Stripe at {}: `cargo build -p capital-platform --example stand_in_stripe`, or \
         set CAPITAL_TEST_STAND_IN_STRIPE (scripts/test does both for you)",
        binary.display()
    );
    binary
}

/// What [`TestApp::sign_in`] returned goes in: `Authorization` for a bearer token, else `Cookie`.
pub(crate) fn credential_header(credential: &str) -> &'static str {
    if credential.starts_with("Bearer ") {
        "authorization"
    } else {
        "cookie"
    }
}

pub(crate) fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The HS256 secret of the test apps in `--identity token` (Stripe mode has no demo sign-in).
pub(crate) const TEST_IDENTITY_SECRET: &str = "test-identity-secret-0123456789abcdef";

/// `config` signing its users in with session tokens signed by [`TEST_IDENTITY_SECRET`].
pub(crate) fn with_token_identity(mut config: Config) -> Config {
    config.identity = Some(capital_platform::IdentityMode::Token);
    config.identity_secret = Some(TEST_IDENTITY_SECRET.to_owned().into());
    config
}

/// A TCP proxy to PostgreSQL that a test can cut (`live`, `faults`): every connection through it dropped, and
/// new ones refused until it resumes.
pub(crate) struct CuttableProxy {
    pub(crate) port: u16,
    cut: tokio::sync::watch::Sender<bool>,
}

impl CuttableProxy {
    pub(crate) async fn start(target: String) -> CuttableProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, watch) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if *watch.borrow() {
                    continue; // cut: refused
                }
                let mut watch = watch.clone();
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        CuttableProxy { port, cut }
    }

    pub(crate) fn cut(&self, cut: bool) {
        self.cut.send_replace(cut);
    }
}

/// `scripts/smtp-sink.py` on a free port, keeping messages in a fresh directory.
pub(crate) struct SmtpSink {
    process: Option<tokio::process::Child>,
    port: u16,
    dir: std::path::PathBuf,
}

impl SmtpSink {
    /// `None` (and a note) where the test Python with aiosmtpd is not set up.
    pub(crate) async fn start() -> Option<SmtpSink> {
        if std::env::var_os("CAPITAL_TEST_SMTP_PYTHON").is_none() {
            eprintln!("skipped: CAPITAL_TEST_SMTP_PYTHON unset (scripts/test sets it up)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("capital-mail-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut sink = SmtpSink {
            process: None,
            port,
            dir,
        };
        sink.resume().await;
        Some(sink)
    }

    pub(crate) async fn resume(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/smtp-sink.py");
        self.process = Some(
            tokio::process::Command::new(std::env::var("CAPITAL_TEST_SMTP_PYTHON").unwrap())
                .arg(script)
                .arg(self.port.to_string())
                .arg(&self.dir)
                .stdout(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap(),
        );
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the SMTP sink did not start");
    }

    pub(crate) async fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().await.unwrap();
        }
    }

    pub(crate) fn url(&self) -> String {
        // The test server speaks plain SMTP on loopback: asked for by name, as `--smtp-url` requires.
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Makes the server refuse every recipient permanently (550), or take them again.
    pub(crate) fn refuse(&self, refuse: bool) {
        self.refuse_with(refuse.then_some(550));
    }

    /// Makes the server refuse every recipient with `code` (`451`: try again later; `550`: a
    /// permanent refusal), or (`None`) take them again.
    pub(crate) fn refuse_with(&self, code: Option<u16>) {
        let flag = self.dir.join("refuse");
        match code {
            Some(code) => std::fs::write(flag, code.to_string()).unwrap(),
            None => {
                let _ = std::fs::remove_file(flag);
            }
        }
    }

    /// Makes the server take `seconds` to accept each message (none: at once).
    pub(crate) fn delay(&self, seconds: Option<u32>) {
        let flag = self.dir.join("delay");
        match seconds {
            Some(seconds) => std::fs::write(flag, seconds.to_string()).unwrap(),
            None => {
                let _ = std::fs::remove_file(flag);
            }
        }
    }

    pub(crate) fn messages(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort_by_key(|p| {
            p.file_stem()
                .and_then(|n| n.to_str()?.parse::<u32>().ok())
                .unwrap_or(0)
        });
        names
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    /// The server process ends with its handle (`kill_on_drop`); its messages go too.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The message's body parts decoded from quoted-printable (enough for the assertions).
pub(crate) fn decoded(message: &str) -> String {
    // Quoted-printable is the bodies' encoding, never the headers': a header's `=20` is text (the
    // unsubscribe link's token is hex, and one in 256 starts with `20`).
    let (headers, body) = message.split_once("\r\n\r\n").unwrap_or((message, ""));
    let body = body
        .replace("=\r\n", "")
        .replace("=3D", "=")
        .replace("=20", " ");
    format!("{headers}\r\n\r\n{body}")
}

#[test]
fn only_the_body_is_decoded_from_quoted_printable() {
    let message = "List-Unsubscribe: <https://p.example/u?account=acct_1&token=20ab3D>\r\n\r\nsee=20the=\r\n offer=3D";
    assert_eq!(
        decoded(message),
        "List-Unsubscribe: <https://p.example/u?account=acct_1&token=20ab3D>\r\n\r\nsee the offer="
    );
}

/// The element's routes' answers against `capital_platform::http::openapi::document()`: an answer of a
/// documented route and method must have a documented status, the documented headers, a
/// documented content type, and a body its schema accepts.
pub(crate) mod contract {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};

    use axum::http::Method;
    use serde_json::{Value, json};

    use super::Answer;

    static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
        serde_json::to_value(capital_platform::http::openapi::document())
            .expect("the document as JSON")
    });
    static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> =
        LazyLock::new(Default::default);

    /// The document's operation for `method` on `path` (a path under the api base), if any.
    pub(crate) fn operation(method: &Method, path: &str) -> Option<&'static Value> {
        let relative = path.strip_prefix(capital_platform::http::openapi::API_BASE)?;
        DOCUMENT["paths"]
            .get(relative)?
            .get(method.as_str().to_ascii_lowercase())
    }

    /// A validator for `schema`, resolving its `$ref`s in the document's components.
    pub(crate) fn validator(schema: &Value) -> Arc<jsonschema::Validator> {
        let key = schema.to_string();
        let mut validators = VALIDATORS.lock().unwrap();
        validators
            .entry(key)
            .or_insert_with(|| {
                let mut root = json!({ "components": DOCUMENT["components"] });
                for (name, value) in schema.as_object().expect("a schema object") {
                    root[name] = value.clone();
                }
                Arc::new(jsonschema::draft202012::new(&root).unwrap_or_else(|error| {
                    panic!("the document's schema {schema} does not compile: {error}")
                }))
            })
            .clone()
    }

    /// Panics with what differs when `instance` is not valid for `schema`.
    pub(crate) fn assert_valid(schema: &Value, instance: &Value, what: &str) {
        let validator = validator(schema);
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match docs/openapi.json: {errors:?}\n{instance:#}"
        );
    }

    /// The checks of the module doc; routes and methods the document leaves out pass unchecked.
    pub(crate) fn check(method: &Method, path: &str, answer: &Answer) {
        let Some(operation) = operation(method, path) else {
            return;
        };
        let what = format!("{method} {path} → {}", answer.status.as_u16());
        let Some(response) = operation["responses"].get(answer.status.as_str()) else {
            panic!(
                "{what}: a status the OpenAPI document does not list ({})",
                answer.text
            );
        };
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            for name in headers.keys() {
                assert!(
                    answer.headers.contains_key(name.as_str()),
                    "{what}: the documented header {name} is missing"
                );
            }
        }
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            assert!(
                answer.text.is_empty(),
                "{what}: a body the document does not describe"
            );
            return;
        };
        let content_type = answer
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let media = content_type.split(';').next().unwrap_or_default().trim();
        let Some(described) = content.get(media) else {
            panic!(
                "{what}: content type {content_type:?}, documented: {:?}",
                content.keys()
            );
        };
        if media == "application/json" {
            let body: Value = serde_json::from_str(&answer.text)
                .unwrap_or_else(|error| panic!("{what}: not JSON ({error}): {}", answer.text));
            assert_valid(&described["schema"], &body, &what);
        }
    }
}
