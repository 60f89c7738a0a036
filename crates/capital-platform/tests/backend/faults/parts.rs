//! The real parts the fault suite runs and breaks: a throwaway PostgreSQL cluster of its own
//! (restarted mid-run, so never the test command's shared one), two release instances in Stripe
//! mode each behind a proxy that can be cut, and the stand-in Stripe sending to both.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{self, CuttableProxy, TEST_IDENTITY_SECRET};

/// The webhook endpoint's secret, shared by the stand-in and both instances.
pub(crate) const WEBHOOK_SECRET: &str = "whsec_fault_suite_8d2c41";
/// The secret key the instances call the stand-in with.
const SECRET_KEY: &str = "sk_test_fault_suite";
/// The audience the suite's session tokens are minted for (both instances take them).
pub(crate) const AUDIENCE: &str = "capital-fault-suite";
/// Stripe's copy of every offer email.
pub(crate) const BCC: &str = "capital-offers@stripe.com";

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A PostgreSQL cluster of the suite's own, from Debian's server binaries: initdb in a fresh
/// directory, loopback only, a random port; restarted with `pg_ctl restart -m fast` as an
/// operator or a failover does; stopped and deleted with its handle.
pub(crate) struct PostgresCluster {
    bin: PathBuf,
    dir: PathBuf,
    pub(crate) port: u16,
}

impl PostgresCluster {
    pub(crate) async fn start() -> PostgresCluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("PostgreSQL's server binaries (apt-get install postgresql; .ci/install does)");
        let dir = std::env::temp_dir().join(format!("capital-faults-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        as_server_owned(&dir);
        let cluster = PostgresCluster {
            bin,
            dir,
            port: free_port(),
        };
        let initdb = cluster
            .as_server("initdb")
            .arg("-D")
            .arg(cluster.dir.join("data"))
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .output()
            .await
            .unwrap();
        assert!(initdb.status.success(), "initdb: {initdb:?}");
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections=200",
            cluster.port,
            cluster.dir.display()
        );
        cluster.pg_ctl(&["-o", &options, "start"]).await;
        cluster
    }

    /// `postgres://…` straight to the cluster (the suite's own reads), or through `port`.
    pub(crate) fn url_via(&self, port: u16) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }

    pub(crate) fn url(&self) -> String {
        self.url_via(self.port)
    }

    /// A fast restart: every connection dropped, the server down until it has started again.
    pub(crate) async fn restart(&self) {
        self.pg_ctl(&["-m", "fast", "restart"]).await;
    }

    async fn pg_ctl(&self, args: &[&str]) {
        let log = self.dir.join("server.log");
        let output = self
            .as_server("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60"])
            .args(args)
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "pg_ctl {args:?}: {output:?}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user.
    fn as_server(&self, program: &str) -> tokio::process::Command {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = tokio::process::Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            tokio::process::Command::new(program)
        };
        command.stdin(Stdio::null());
        command
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        let mut stop = std::process::Command::new(if is_root() { "runuser" } else { "true" });
        if is_root() {
            stop.args(["-u", "postgres", "--"]);
        }
        let _ = stop
            .arg(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    std::env::var("USER").is_ok_and(|user| user == "root")
        || std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

fn as_server_owned(dir: &Path) {
    if is_root() {
        let chown = std::process::Command::new("chown")
            .arg("postgres")
            .arg(dir)
            .status()
            .unwrap();
        assert!(chown.success());
    }
}

/// One release instance in Stripe mode (`--offer-notice email`, session tokens), on a port of
/// its own, its database reached through its own proxy.
pub(crate) struct Instance {
    pub(crate) name: &'static str,
    pub(crate) port: u16,
    pub(crate) proxy: CuttableProxy,
    database_url: String,
    stripe: String,
    smtp: String,
    data: PathBuf,
    process: Option<tokio::process::Child>,
    pub(crate) starts: u32,
}

impl Instance {
    pub(crate) async fn new(
        name: &'static str,
        cluster: &PostgresCluster,
        stripe: &str,
        smtp: &str,
    ) -> Instance {
        let proxy = CuttableProxy::start(format!("127.0.0.1:{}", cluster.port)).await;
        let data = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("capital-faults-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let _ = std::fs::remove_file(
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fault-suite-{name}.log")),
        );
        Instance {
            name,
            port: free_port(),
            database_url: cluster.url_via(proxy.port),
            proxy,
            stripe: stripe.to_owned(),
            smtp: smtp.to_owned(),
            data,
            process: None,
            starts: 0,
        }
    }

    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn webhook_url(&self) -> String {
        format!("{}/webhooks/stripe", self.base())
    }

    /// Starts the binary as a platform's service manager would, and returns once it is ready
    /// (`GET /readyz`), with the time that took.
    pub(crate) async fn start(&mut self) -> Duration {
        let began = Instant::now();
        self.starts += 1;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let process = tokio::process::Command::new(harness::server_binary())
            .arg("serve")
            .env("CAPITAL_MODE", "stripe")
            .env("CAPITAL_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("CAPITAL_PUBLIC_URL", self.base())
            .env("CAPITAL_DATA_DIR", &self.data)
            .env("DATABASE_URL", &self.database_url)
            .env("STRIPE_SECRET_KEY", SECRET_KEY)
            .env("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("STRIPE_API_BASE", &self.stripe)
            .env("CAPITAL_BUSINESS_NAME", "Fault Rides")
            .env("CAPITAL_IDENTITY", "token")
            .env("CAPITAL_IDENTITY_SECRET", TEST_IDENTITY_SECRET)
            .env("CAPITAL_IDENTITY_AUDIENCE", AUDIENCE)
            .env("CAPITAL_OFFER_NOTICE", "email")
            .env("CAPITAL_SMTP_URL", &self.smtp)
            .env("CAPITAL_EMAIL_BCC", BCC)
            // Generous budgets: the suite is one platform's whole traffic from one address.
            .env("CAPITAL_STRIPE_CALLS_PER_SECOND", "1000")
            .env("CAPITAL_MAX_STREAMS", "1000")
            .env("RUST_LOG", "warn,capital_platform=info")
            .env_remove("CAPITAL_FAILPOINT")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary");
        self.process = Some(process);
        let client = reqwest::Client::new();
        let deadline = began + Duration::from_secs(60);
        loop {
            let ready = client
                .get(format!("{}/readyz", self.base()))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|answer| answer.status().is_success());
            if ready {
                return began.elapsed();
            }
            if let Some(Ok(Some(status))) = self.process.as_mut().map(|p| p.try_wait()) {
                panic!(
                    "{} exited at start ({status}):\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready within 60 s:\n{}",
                self.name,
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `kill -9`: no shutdown, no claim released, connections cut mid-request.
    pub(crate) async fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().await.unwrap();
        }
    }

    /// Kept after the run (`target/tmp/fault-suite-A.log`), for a failure's story.
    fn log_path(&self) -> PathBuf {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fault-suite-{}.log", self.name))
    }

    /// The last lines the instance logged, for a failure's message.
    pub(crate) fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Lines of the log that mention a panic.
    pub(crate) fn panics(&self) -> Vec<String> {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains("panicked"))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// The stand-in Stripe as a process, delivering to every instance's endpoint.
pub(crate) struct StandIn {
    pub(crate) base: String,
    client: reqwest::Client,
    _process: tokio::process::Child,
}

impl StandIn {
    pub(crate) async fn start(port: u16, endpoints: &[String]) -> StandIn {
        let base = format!("http://127.0.0.1:{port}");
        let process = tokio::process::Command::new(harness::stand_in_stripe_binary())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--webhook-url", &endpoints.join(",")])
            .args(["--webhook-secret", WEBHOOK_SECRET])
            // Stripe's promises played: a fifth of the events twice or more, no order.
            .args(["--duplicate-share", "0.2", "--delivery-jitter-ms", "1500"])
            .args(["--concurrent-deliveries", "32"])
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the stand-in Stripe");
        let stand_in = StandIn {
            base,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            _process: process,
        };
        for _ in 0..200 {
            if stand_in
                .client
                .get(stand_in.tool("/calls"))
                .send()
                .await
                .is_ok()
            {
                return stand_in;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the stand-in Stripe did not start");
    }

    fn tool(&self, path: &str) -> String {
        format!("{}/_stand_in{path}", self.base)
    }

    /// A dashboard tool: `POST /_stand_in{path}` with `body`; the answer, or why not.
    pub(crate) async fn act(&self, path: &str, body: Value) -> Result<Value, String> {
        let answer = self
            .client
            .post(self.tool(path))
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = answer.status();
        let body: Value = answer.json().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!("{path}: {status} {body}"))
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        self.client
            .get(self.tool(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Whether the platform has marked `offer` delivered through the API.
    pub(crate) async fn marked_delivered(&self, offer: &str) -> bool {
        self.get(&format!("/calls/{offer}")).await["marked_delivered"]
            .as_u64()
            .is_some_and(|times| times > 0)
    }

    /// Every API call answers `status` for `seconds`.
    pub(crate) async fn fault(&self, status: u16, seconds: f64) {
        self.act(
            "/faults",
            serde_json::json!({"status": status, "seconds": seconds}),
        )
        .await
        .unwrap();
    }

    /// The account's offers through Stripe's API, as the backend would list them.
    pub(crate) async fn offers_of(&self, account: &str) -> Vec<Value> {
        let answer: Value = self
            .client
            .get(format!(
                "{}/v1/capital/financing_offers?connected_account={account}&limit=100",
                self.base
            ))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["data"].as_array().cloned().unwrap_or_default()
    }
}
