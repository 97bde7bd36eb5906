//! Seeded synthetic clusters, shaped like real ones, for benchmarks and scale tests.
//!
//! [`Cluster::generate`] writes the manifests a cluster dump plus its policy repository would
//! hold, as YAML text split into files (`namespaces.yaml`, then one file per namespace):
//!
//! - `kube-system` with CoreDNS (`k8s-app: kube-dns`, named ports `dns`/`dns-tcp`) and one
//!   hostNetwork `kube-proxy` pod per node; `ingress-nginx` with its controller; `monitoring`
//!   with Prometheus;
//! - application namespaces labelled `team` and `env`, each holding apps of one tier (web,
//!   api, db, cache, worker, batch): a Deployment (a StatefulSet for db and cache) and its
//!   running Pods, which carry `status.podIP` and no ownerReferences, so that every Pod is an
//!   endpoint of its own and `pods` Pod objects are exactly `pods` endpoints (the workloads
//!   come on top), with shared `app`/`tier`/`version` labels and named container ports;
//! - policies, exactly `policies` of them: per application namespace a default deny (ingress
//!   and egress) and DNS egress to kube-system (UDP and TCP 53), then per app, in turn,
//!   tier-to-tier rules (web → api → db), namespaceSelector + podSelector peers,
//!   matchExpressions (In, NotIn, Exists), ipBlocks with except (IPv4 and IPv6), named ports
//!   and endPort ranges.
//!
//! The output depends only on [`Params`]: the same seed gives the same bytes. Randomness is a
//! SplitMix64 generator, [`Rng`].

use std::fmt::Write as _;
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// Number of Pod objects (each one endpoint). System pods are taken from this budget.
    pub pods: usize,
    /// Number of NetworkPolicy objects, exactly.
    pub policies: usize,
    /// The seed: the same parameters give the same output.
    pub seed: u64,
    /// Number of application namespaces (0: one per 100 application pods, at least one).
    pub namespaces: usize,
}

impl Params {
    /// `pods` Pods and `policies` policies from `seed`, other settings by default.
    pub fn new(pods: usize, policies: usize, seed: u64) -> Params {
        Params {
            pods,
            policies,
            seed,
            namespaces: 0,
        }
    }
}

/// SplitMix64: small, fast, and good enough to shape test data (not for cryptography).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `n` lower-case letters and digits, as in generated pod names.
    pub fn token(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..n)
            .map(|_| *self.pick(ALPHABET) as char)
            .collect::<String>()
    }
}

/// A generated cluster: manifests as files.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// (file name, YAML text), in a stable order: `namespaces.yaml`, then one file per
    /// namespace.
    pub files: Vec<(String, String)>,
    /// Number of Pod objects written.
    pub pods: usize,
    /// Number of workload objects (Deployments, StatefulSets) written.
    pub workloads: usize,
    /// Number of NetworkPolicy objects written.
    pub policies: usize,
    /// Number of namespaces written.
    pub namespaces: usize,
    /// A connection to probe with `can-reach`: a web pod, an api pod of its namespace (or
    /// any two pods when there are no such), as `namespace/name`.
    pub probe: Option<(String, String)>,
}

impl Cluster {
    /// Generates the cluster the parameters describe.
    pub fn generate(params: &Params) -> Cluster {
        Generator::new(params).run()
    }

    /// The files as `(name, text)` pairs, for [`crate::load::load_texts`].
    pub fn texts(&self) -> Vec<(&str, &str)> {
        self.files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect()
    }

    /// Total size of the manifests in bytes.
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|(_, t)| t.len()).sum()
    }

    /// Writes every file into `dir` (created if missing).
    pub fn write_to(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, text) in &self.files {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(())
    }
}

/// Application tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    Web,
    Api,
    Db,
    Cache,
    Worker,
    Batch,
}

impl Tier {
    /// Tiers in the proportions apps are drawn from.
    const MIX: [Tier; 10] = [
        Tier::Web,
        Tier::Web,
        Tier::Api,
        Tier::Api,
        Tier::Api,
        Tier::Db,
        Tier::Cache,
        Tier::Worker,
        Tier::Worker,
        Tier::Batch,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Tier::Web => "web",
            Tier::Api => "api",
            Tier::Db => "db",
            Tier::Cache => "cache",
            Tier::Worker => "worker",
            Tier::Batch => "batch",
        }
    }

    fn stateful(self) -> bool {
        matches!(self, Tier::Db | Tier::Cache)
    }

    /// Container ports: (name, number, protocol).
    fn ports(self) -> &'static [(&'static str, u16, &'static str)] {
        match self {
            Tier::Web => &[("http", 8080, "TCP"), ("metrics", 9090, "TCP")],
            Tier::Api => &[
                ("http", 8080, "TCP"),
                ("grpc", 9000, "TCP"),
                ("metrics", 9090, "TCP"),
            ],
            Tier::Db => &[("postgres", 5432, "TCP"), ("metrics", 9187, "TCP")],
            Tier::Cache => &[("redis", 6379, "TCP")],
            Tier::Worker => &[("metrics", 9090, "TCP"), ("statsd", 8125, "UDP")],
            Tier::Batch => &[],
        }
    }
}

const TEAMS: [&str; 12] = [
    "payments", "search", "checkout", "catalog", "identity", "billing", "ads", "media", "mail",
    "ledger", "reports", "growth",
];
const ENVS: [&str; 3] = ["prod", "staging", "dev"];
const WORDS: [&str; 16] = [
    "cart",
    "orders",
    "users",
    "inventory",
    "pricing",
    "gateway",
    "profile",
    "session",
    "notify",
    "ledger",
    "audit",
    "export",
    "images",
    "feed",
    "rank",
    "quota",
];
/// Address ranges partners and SaaS vendors are allowed from or to.
const PARTNER_CIDRS: [&str; 8] = [
    "203.0.113.0/24",
    "198.51.100.0/25",
    "198.51.100.128/26",
    "192.0.2.0/24",
    "100.64.0.0/10",
    "52.94.0.0/16",
    "34.120.0.0/14",
    "13.32.0.0/15",
];
/// The pod network.
const POD_CIDR_BASE: Ipv4Addr = Ipv4Addr::new(10, 244, 0, 0);
/// The node network.
const NODE_CIDR_BASE: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 0);

#[derive(Clone, Debug)]
struct App {
    ns: usize,
    name: String,
    tier: Tier,
    pods: Vec<String>,
    /// Policies written for this app so far.
    written: usize,
}

#[derive(Clone, Debug)]
struct Ns {
    name: String,
    team: String,
    team_index: usize,
    env: &'static str,
    dual_stack: bool,
    apps: Vec<usize>,
    /// The manifests of the namespace.
    text: String,
}

struct Generator<'p> {
    p: &'p Params,
    rng: Rng,
    namespaces: Vec<Ns>,
    apps: Vec<App>,
    pods: usize,
    workloads: usize,
    policies: usize,
    nodes: usize,
}

impl<'p> Generator<'p> {
    fn new(p: &'p Params) -> Self {
        Generator {
            p,
            rng: Rng::new(p.seed),
            namespaces: Vec::new(),
            apps: Vec::new(),
            pods: 0,
            workloads: 0,
            policies: 0,
            nodes: (p.pods / 100).clamp(1, 200),
        }
    }

    fn run(mut self) -> Cluster {
        let mut budget = self.p.pods;
        self.system(&mut budget);
        self.applications(budget);
        self.all_policies();
        self.services();

        let mut files = Vec::with_capacity(self.namespaces.len() + 1);
        let mut ns_text = String::new();
        for ns in &self.namespaces {
            doc_start(&mut ns_text);
            let _ = writeln!(
                ns_text,
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n  labels:",
                ns.name
            );
            if ns.team.is_empty() {
                let _ = writeln!(ns_text, "    purpose: {}", ns.name);
            } else {
                let _ = writeln!(ns_text, "    team: {}\n    env: {}", ns.team, ns.env);
            }
        }
        files.push(("namespaces.yaml".to_string(), ns_text));
        let probe = self.probe();
        let namespaces = self.namespaces.len();
        for ns in self.namespaces {
            files.push((format!("{}.yaml", ns.name), ns.text));
        }
        Cluster {
            files,
            pods: self.pods,
            workloads: self.workloads,
            policies: self.policies,
            namespaces,
            probe,
        }
    }

    fn probe(&self) -> Option<(String, String)> {
        let name = |a: &App| {
            Some(format!(
                "{}/{}",
                self.namespaces[a.ns].name,
                a.pods.first()?
            ))
        };
        for ns in &self.namespaces {
            let of = |t: Tier| {
                ns.apps
                    .iter()
                    .map(|&i| &self.apps[i])
                    .find(|a| a.tier == t && !a.pods.is_empty())
            };
            if let (Some(w), Some(a)) = (of(Tier::Web), of(Tier::Api)) {
                return Some((name(w)?, name(a)?));
            }
        }
        let mut with_pods = self.apps.iter().filter(|a| !a.pods.is_empty());
        let a = with_pods.next()?;
        let b = with_pods.next().unwrap_or(a);
        Some((name(a)?, name(b)?))
    }

    fn add_ns(&mut self, name: &str, team: &str, team_index: usize, env: &'static str) -> usize {
        let dual_stack = !team.is_empty() && self.namespaces.len() % 4 == 1;
        self.namespaces.push(Ns {
            name: name.to_string(),
            team: team.to_string(),
            team_index,
            env,
            dual_stack,
            apps: Vec::new(),
            text: String::new(),
        });
        self.namespaces.len() - 1
    }

    fn next_pod_ip(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(POD_CIDR_BASE).wrapping_add(self.pods as u32 + 2))
    }

    fn node(&mut self) -> usize {
        self.rng.below(self.nodes)
    }

    fn node_ip(k: usize) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(NODE_CIDR_BASE).wrapping_add(k as u32 + 10))
    }

    /// kube-system (CoreDNS, kube-proxy on every node), ingress-nginx, monitoring.
    fn system(&mut self, budget: &mut usize) {
        let ks = self.add_ns("kube-system", "", 0, "");
        let take = |budget: &mut usize, want: usize| {
            let n = want.min(*budget);
            *budget -= n;
            n
        };
        let dns = take(budget, 2);
        let dns_ports: &[(&str, u16, &str)] = &[
            ("dns", 53, "UDP"),
            ("dns-tcp", 53, "TCP"),
            ("metrics", 9153, "TCP"),
        ];
        let labels = [("k8s-app", "kube-dns")];
        self.workload(ks, "Deployment", "coredns", &labels, dns_ports, 2);
        let hash = self.rng.token(10);
        for _ in 0..dns {
            let name = format!("coredns-{hash}-{}", self.rng.token(5));
            self.pod(ks, &name, &labels, dns_ports, false);
        }
        let proxies = take(budget, self.nodes);
        let labels = [("k8s-app", "kube-proxy")];
        for k in 0..proxies {
            let name = format!("kube-proxy-{}", self.rng.token(5));
            self.pod_on(ks, &name, &labels, &[], k);
        }

        let ing = self.add_ns("ingress-nginx", "", 0, "");
        let n = take(budget, 2);
        let labels = [
            ("app.kubernetes.io/name", "ingress-nginx"),
            ("app.kubernetes.io/component", "controller"),
        ];
        let ports: &[(&str, u16, &str)] = &[("http", 80, "TCP"), ("https", 443, "TCP")];
        self.workload(
            ing,
            "Deployment",
            "ingress-nginx-controller",
            &labels,
            ports,
            2,
        );
        let hash = self.rng.token(10);
        for _ in 0..n {
            let name = format!("ingress-nginx-controller-{hash}-{}", self.rng.token(5));
            self.pod(ing, &name, &labels, ports, false);
        }

        let mon = self.add_ns("monitoring", "", 0, "");
        let n = take(budget, 2);
        let labels = [("app", "prometheus")];
        let ports: &[(&str, u16, &str)] = &[("web", 9090, "TCP")];
        self.workload(mon, "StatefulSet", "prometheus", &labels, ports, 2);
        for i in 0..n {
            self.pod(mon, &format!("prometheus-{i}"), &labels, ports, false);
        }
        // The monitoring stack is allowed out to scrape everything.
        if self.policies < self.p.policies {
            self.write_policy(
                mon,
                "prometheus-scrape",
                "{matchLabels: {app: prometheus}}",
                "[Egress]",
                "",
                "  egress:\n  - {}\n",
            );
        }
    }

    fn applications(&mut self, budget: usize) {
        let count = if self.p.namespaces > 0 {
            self.p.namespaces
        } else {
            budget.div_ceil(100).max(1)
        };
        let first = self.namespaces.len();
        for i in 0..count {
            let t = i / ENVS.len();
            let team = if t < TEAMS.len() {
                TEAMS[t].to_string()
            } else {
                format!("{}{}", TEAMS[t % TEAMS.len()], t / TEAMS.len())
            };
            let env = ENVS[i % ENVS.len()];
            self.add_ns(&format!("{team}-{env}"), &team, t, env);
        }
        // Spread the pods evenly, then cut each namespace into apps of 1 to 16 pods.
        for i in 0..count {
            let ns = first + i;
            let mut left = budget / count + usize::from(i < budget % count);
            let mut k = 0;
            loop {
                let size = if left == 0 {
                    0
                } else {
                    self.rng.range(1, 16).min(left)
                };
                left -= size;
                let tier = if k < 3 {
                    [Tier::Web, Tier::Api, Tier::Db][k]
                } else {
                    *self.rng.pick(&Tier::MIX)
                };
                self.app(ns, k, tier, size);
                k += 1;
                if left == 0 {
                    break;
                }
            }
        }
    }

    fn app(&mut self, ns: usize, k: usize, tier: Tier, size: usize) {
        let word = WORDS[(k + self.namespaces[ns].team_index) % WORDS.len()];
        let name = if k < WORDS.len() {
            format!("{word}-{}", tier.as_str())
        } else {
            format!("{word}{}-{}", k / WORDS.len(), tier.as_str())
        };
        let team = self.namespaces[ns].team.clone();
        let base = [
            ("app", name.as_str()),
            ("tier", tier.as_str()),
            ("app.kubernetes.io/part-of", team.as_str()),
        ];
        let (kind, extra) = if tier.stateful() {
            ("StatefulSet", None)
        } else {
            ("Deployment", Some(self.rng.token(10)))
        };
        let mut template: Vec<(&str, &str)> = base.to_vec();
        template.push(("version", "v1"));
        self.workload(ns, kind, &name, &template, tier.ports(), size);
        let mut pods = Vec::with_capacity(size);
        for i in 0..size {
            // One pod in ten is a canary of the next version.
            let version = if self.rng.chance(10) { "v2" } else { "v1" };
            let mut labels: Vec<(&str, &str)> = base.to_vec();
            labels.push(("version", version));
            let pod_name = match &extra {
                Some(hash) => {
                    labels.push(("pod-template-hash", hash));
                    format!("{name}-{hash}-{}", self.rng.token(5))
                }
                None => format!("{name}-{i}"),
            };
            let sts_label;
            if extra.is_none() {
                sts_label = pod_name.clone();
                labels.push(("statefulset.kubernetes.io/pod-name", &sts_label));
            }
            self.pod(
                ns,
                &pod_name,
                &labels,
                tier.ports(),
                self.namespaces[ns].dual_stack,
            );
            pods.push(pod_name);
        }
        self.namespaces[ns].apps.push(self.apps.len());
        self.apps.push(App {
            ns,
            name,
            tier,
            pods,
            written: 0,
        });
    }

    fn workload(
        &mut self,
        ns: usize,
        kind: &str,
        name: &str,
        labels: &[(&str, &str)],
        ports: &[(&str, u16, &str)],
        replicas: usize,
    ) {
        self.workloads += 1;
        let Ns {
            name: ns_name,
            text: out,
            ..
        } = &mut self.namespaces[ns];
        doc_start(out);
        let _ = writeln!(
            out,
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {}\nspec:\n  replicas: {replicas}",
            ns_name
        );
        if kind == "StatefulSet" {
            let _ = writeln!(out, "  serviceName: {name}");
        }
        out.push_str("  selector:\n    matchLabels:\n");
        let _ = writeln!(out, "      {}: {}", labels[0].0, labels[0].1);
        out.push_str("  template:\n    metadata:\n      labels:\n");
        for (k, v) in labels {
            let _ = writeln!(out, "        {k}: {v}");
        }
        out.push_str("    spec:\n");
        containers(out, "      ", name, ports);
    }

    fn pod(
        &mut self,
        ns: usize,
        name: &str,
        labels: &[(&str, &str)],
        ports: &[(&str, u16, &str)],
        dual_stack: bool,
    ) {
        let ip = self.next_pod_ip();
        let node = self.node();
        self.pods += 1;
        let Ns {
            name: ns_name,
            text: out,
            ..
        } = &mut self.namespaces[ns];
        pod_head(out, name, ns_name, labels);
        let _ = writeln!(out, "spec:\n  nodeName: node-{node}");
        containers(out, "  ", labels[0].1, ports);
        let _ = writeln!(
            out,
            "status:\n  phase: Running\n  hostIP: {}\n  podIP: {ip}\n  podIPs:\n  - ip: {ip}",
            Self::node_ip(node)
        );
        if dual_stack {
            let o = u32::from(ip) - u32::from(POD_CIDR_BASE);
            let _ = writeln!(out, "  - ip: fd00:10:244::{:x}:{:x}", o >> 16, o & 0xffff);
        }
    }

    /// A hostNetwork pod: its IP is its node's.
    fn pod_on(
        &mut self,
        ns: usize,
        name: &str,
        labels: &[(&str, &str)],
        ports: &[(&str, u16, &str)],
        node: usize,
    ) {
        self.pods += 1;
        let ip = Self::node_ip(node);
        let Ns {
            name: ns_name,
            text: out,
            ..
        } = &mut self.namespaces[ns];
        pod_head(out, name, ns_name, labels);
        let _ = writeln!(out, "spec:\n  nodeName: node-{node}\n  hostNetwork: true");
        containers(out, "  ", labels[0].1, ports);
        let _ = writeln!(
            out,
            "status:\n  phase: Running\n  hostIP: {ip}\n  podIP: {ip}\n  podIPs:\n  - ip: {ip}"
        );
    }

    /// A Service for each web and api app.
    fn services(&mut self) {
        for a in 0..self.apps.len() {
            let app = &self.apps[a];
            if !matches!(app.tier, Tier::Web | Tier::Api) {
                continue;
            }
            let Ns {
                name: ns_name,
                text: out,
                ..
            } = &mut self.namespaces[app.ns];
            doc_start(out);
            let _ = writeln!(
                out,
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {}\n  namespace: {}\nspec:\n  selector:\n    app: {}\n  ports:\n  - name: http\n    port: 80\n    targetPort: http",
                app.name, ns_name, app.name
            );
        }
    }

    fn all_policies(&mut self) {
        let app_ns: Vec<usize> = (0..self.namespaces.len())
            .filter(|&i| !self.namespaces[i].team.is_empty())
            .collect();
        // Per namespace: default deny, then DNS.
        for &ns in &app_ns {
            if self.policies >= self.p.policies {
                return;
            }
            self.write_policy(ns, "default-deny", "{}", "[Ingress, Egress]", "", "");
        }
        for &ns in &app_ns {
            if self.policies >= self.p.policies {
                return;
            }
            self.write_policy(
                ns,
                "allow-dns",
                "{}",
                "[Egress]",
                "",
                "  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels: {kubernetes.io/metadata.name: kube-system}\n      podSelector:\n        matchLabels: {k8s-app: kube-dns}\n    ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}\n",
            );
        }
        // Then the apps, in turn.
        let apps: Vec<usize> = app_ns
            .iter()
            .flat_map(|&ns| self.namespaces[ns].apps.clone())
            .collect();
        if apps.is_empty() {
            return;
        }
        let mut i = 0;
        while self.policies < self.p.policies {
            let a = apps[i % apps.len()];
            self.app_policy(a);
            i += 1;
        }
    }

    /// The next policy of an app: its tier's policies first, then extra allowances.
    fn app_policy(&mut self, a: usize) {
        let app = self.apps[a].clone();
        self.apps[a].written += 1;
        let k = app.written;
        let ns = &self.namespaces[app.ns];
        let (team, env) = (ns.team.clone(), ns.env);
        let sel = format!("{{matchLabels: {{app: {}}}}}", app.name);
        let name = |what: &str| format!("{}-{what}", app.name);
        let has_metrics = app.tier.ports().iter().any(|p| p.0 == "metrics");
        let tier_specific: usize = 3;
        if k < tier_specific {
            match (app.tier, k) {
                (Tier::Web, 0) => self.write_policy(
                    app.ns,
                    &name("from-ingress"),
                    &sel,
                    "[Ingress]",
                    "  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {kubernetes.io/metadata.name: ingress-nginx}\n      podSelector:\n        matchLabels: {app.kubernetes.io/name: ingress-nginx}\n    ports:\n    - port: http\n",
                    "",
                ),
                (Tier::Web, 1) => self.write_policy(
                    app.ns,
                    &name("to-api"),
                    &sel,
                    "[Egress]",
                    "",
                    "  egress:\n  - to:\n    - podSelector:\n        matchLabels: {tier: api}\n    ports:\n    - port: http\n    - {port: grpc, protocol: TCP}\n  - to:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n        except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.169.254/32]\n    ports:\n    - {port: 443}\n",
                ),
                (Tier::Api, 0) => {
                    let ingress = format!(
                        "  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {{key: tier, operator: In, values: [web, worker]}}\n    - namespaceSelector:\n        matchExpressions:\n        - {{key: team, operator: In, values: [{team}]}}\n        - {{key: env, operator: NotIn, values: [dev]}}\n      podSelector:\n        matchLabels: {{tier: web}}\n    ports:\n    - port: http\n    - port: grpc\n"
                    );
                    self.write_policy(app.ns, &name("ingress"), &sel, "[Ingress]", &ingress, "")
                }
                (Tier::Api, 1) => self.write_policy(
                    app.ns,
                    &name("egress"),
                    &sel,
                    "[Egress]",
                    "",
                    "  egress:\n  - to:\n    - podSelector:\n        matchExpressions:\n        - {key: tier, operator: In, values: [db, cache]}\n    ports:\n    - {port: 5432}\n    - {port: 6379}\n  - to:\n    - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}\n    - ipBlock: {cidr: '::/0', except: ['fd00::/8']}\n    ports:\n    - {port: 443}\n",
                ),
                (Tier::Db, 0) => self.write_policy(
                    app.ns,
                    &name("ingress"),
                    &sel,
                    "[Ingress]",
                    "  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: tier, operator: In, values: [api, worker, batch]}\n        - {key: app, operator: Exists}\n    ports:\n    - port: postgres\n",
                    "",
                ),
                (Tier::Db, 1) => {
                    let ingress = format!(
                        "  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {{team: {team}, env: {env}}}\n      podSelector:\n        matchLabels: {{tier: batch}}\n    ports:\n    - {{port: 5432, endPort: 5439}}\n"
                    );
                    self.write_policy(app.ns, &name("backup"), &sel, "[Ingress]", &ingress, "")
                }
                (Tier::Cache, 0) => self.write_policy(
                    app.ns,
                    &name("ingress"),
                    &sel,
                    "",
                    "  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: tier, operator: NotIn, values: [web, db]}\n        - {key: app, operator: Exists}\n    ports:\n    - port: redis\n",
                    "",
                ),
                (Tier::Worker, 0) => self.write_policy(
                    app.ns,
                    &name("egress"),
                    &sel,
                    "[Egress]",
                    "",
                    "  egress:\n  - to:\n    - podSelector:\n        matchLabels: {tier: api}\n    ports:\n    - {port: 8000, endPort: 8100}\n    - port: http\n  - to:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n        except: [10.244.0.0/16]\n    ports:\n    - {protocol: TCP, port: 8443}\n    - {protocol: UDP}\n",
                ),
                (Tier::Batch, 0) => self.write_policy(
                    app.ns,
                    &name("egress"),
                    &sel,
                    "[Egress]",
                    "",
                    "  egress:\n  - to:\n    - podSelector:\n        matchLabels: {tier: db}\n    ports:\n    - port: postgres\n    - {port: 5432, endPort: 5439}\n",
                ),
                (_, 2) if has_metrics => self.write_policy(
                    app.ns,
                    &name("metrics"),
                    &sel,
                    "[Ingress]",
                    "  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {purpose: monitoring}\n      podSelector:\n        matchLabels: {app: prometheus}\n    ports:\n    - port: metrics\n",
                    "",
                ),
                (_, _) => {
                    // A canary: version v2 pods of the app take traffic from the web tier of
                    // any environment of the team but dev.
                    let ingress = format!(
                        "  ingress:\n  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - {{key: team, operator: In, values: [{team}]}}\n        - {{key: env, operator: NotIn, values: [dev]}}\n      podSelector:\n        matchExpressions:\n        - {{key: tier, operator: Exists}}\n    ports:\n    - {{port: 8080}}\n"
                    );
                    let canary = format!(
                        "{{matchLabels: {{app: {}}}, matchExpressions: [{{key: version, operator: In, values: [v2]}}]}}",
                        app.name
                    );
                    self.write_policy(
                        app.ns,
                        &name(&format!("canary-{k}")),
                        &canary,
                        "[Ingress]",
                        &ingress,
                        "",
                    )
                }
            }
            return;
        }
        // Extra allowances, cycling through three shapes.
        let n = k - tier_specific;
        match n % 3 {
            0 => {
                let cidr = *self.rng.pick(&PARTNER_CIDRS);
                let ingress = format!(
                    "  ingress:\n  - from:\n    - ipBlock:\n        cidr: {cidr}\n    ports:\n    - {{port: 443}}\n    - {{port: 8443, endPort: 8449}}\n"
                );
                self.write_policy(
                    app.ns,
                    &name(&format!("partner-{n}")),
                    &sel,
                    "[Ingress]",
                    &ingress,
                    "",
                )
            }
            1 => {
                let other = TEAMS[self.rng.below(TEAMS.len())];
                let ingress = format!(
                    "  ingress:\n  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - {{key: team, operator: In, values: [{other}, {team}]}}\n      podSelector:\n        matchExpressions:\n        - {{key: app, operator: Exists}}\n        - {{key: tier, operator: NotIn, values: [db]}}\n    ports:\n    - port: http\n    - {{protocol: TCP, port: 9000}}\n"
                );
                self.write_policy(
                    app.ns,
                    &name(&format!("from-{other}-{n}")),
                    &sel,
                    "",
                    &ingress,
                    "",
                )
            }
            _ => {
                let target = self.rng.below(self.namespaces.len());
                let target = self.namespaces[target].name.clone();
                let egress = format!(
                    "  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels: {{kubernetes.io/metadata.name: {target}}}\n      podSelector:\n        matchLabels: {{tier: api}}\n    ports:\n    - port: http\n"
                );
                self.write_policy(
                    app.ns,
                    &name(&format!("to-{target}-{n}")),
                    &sel,
                    "[Egress]",
                    "",
                    &egress,
                )
            }
        }
    }

    /// Writes one NetworkPolicy (`types` empty: policyTypes omitted).
    fn write_policy(
        &mut self,
        ns: usize,
        name: &str,
        selector: &str,
        types: &str,
        ingress: &str,
        egress: &str,
    ) {
        self.policies += 1;
        let Ns {
            name: ns_name,
            text: out,
            ..
        } = &mut self.namespaces[ns];
        doc_start(out);
        let _ = writeln!(
            out,
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {}\nspec:\n  podSelector: {selector}",
            ns_name
        );
        if !types.is_empty() {
            let _ = writeln!(out, "  policyTypes: {types}");
        }
        out.push_str(ingress);
        out.push_str(egress);
    }
}

fn doc_start(out: &mut String) {
    if !out.is_empty() {
        out.push_str("---\n");
    }
}

fn pod_head(out: &mut String, name: &str, ns: &str, labels: &[(&str, &str)]) {
    doc_start(out);
    let _ = writeln!(
        out,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:"
    );
    for (k, v) in labels {
        let _ = writeln!(out, "    {k}: {v}");
    }
}

fn containers(out: &mut String, indent: &str, image: &str, ports: &[(&str, u16, &str)]) {
    let _ = writeln!(
        out,
        "{indent}containers:\n{indent}- name: main\n{indent}  image: registry.example.com/{image}:1.0"
    );
    if ports.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}  ports:");
    for (n, p, proto) in ports {
        let _ = writeln!(
            out,
            "{indent}  - name: {n}\n{indent}    containerPort: {p}\n{indent}    protocol: {proto}"
        );
    }
}

/// A crowd of bare pods that policies cannot tell apart, for tests of grouping: namespaces
/// `a`, `b` and `c` (declared), `web-0..n` in each (app=web in a and b, app=shop in c), plus
/// two pods policies do tell apart: `a/db`, reached by app=web pods only, and `b/api`,
/// reached by pods only. One YAML text.
pub fn crowd(n: usize) -> String {
    let mut docs = Vec::new();
    for (ns, app) in [("a", "web"), ("b", "web"), ("c", "shop")] {
        docs.push(format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n"
        ));
        for i in 0..n {
            docs.push(format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: web-{i}, namespace: {ns}, labels: {{app: {app}}}}}\n"
            ));
        }
    }
    docs.push(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: a, labels: {app: db}}\n".into(),
    );
    docs.push(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: b, labels: {app: api}}\n"
            .into(),
    );
    docs.push(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: a}\n\
         spec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]\n"
            .into(),
    );
    docs.push(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api, namespace: b}\n\
         spec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{from: [{namespaceSelector: {}}]}]\n"
            .into(),
    );
    docs.join("---\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::matrix::Matrix;
    use crate::load::{LoadOptions, load_texts};
    use crate::model;

    fn build(c: &Cluster) -> (crate::load::Loaded, model::Cluster) {
        let mut loaded = load_texts(&c.texts(), &LoadOptions::default());
        let objects = std::mem::take(&mut loaded.objects);
        (loaded, model::Cluster::build(objects))
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let a = Cluster::generate(&Params::new(300, 120, 7));
        let b = Cluster::generate(&Params::new(300, 120, 7));
        let c = Cluster::generate(&Params::new(300, 120, 8));
        assert_eq!(a.files, b.files);
        assert_ne!(a.files, c.files);
    }

    #[test]
    fn counts_are_as_asked_and_everything_loads_and_applies() {
        for (pods, policies, namespaces) in [(300, 120, 0), (1000, 500, 0), (40, 3, 2), (0, 5, 0)] {
            let mut p = Params::new(pods, policies, 1);
            p.namespaces = namespaces;
            let c = Cluster::generate(&p);
            assert_eq!(c.pods, pods);
            assert_eq!(c.policies, policies);
            let (loaded, cluster) = build(&c);
            assert!(loaded.problems.is_empty(), "{:?}", &loaded.problems[..1]);
            let pod_objects = cluster
                .endpoints
                .iter()
                .filter(|e| e.kind == model::EndpointKind::Pod)
                .count();
            assert_eq!(pod_objects, pods);
            assert_eq!(cluster.endpoints.len(), pods + c.workloads);
            assert_eq!(cluster.policies.len(), policies);
            assert!(cluster.not_applied.is_empty(), "{:?}", cluster.not_applied);
            assert_eq!(cluster.namespaces.len(), c.namespaces);
            // Pod IPs are unique.
            let mut ips: Vec<_> = cluster
                .endpoints
                .iter()
                .filter(|e| !e.host_network)
                .flat_map(|e| e.ips.iter().copied())
                .collect();
            let n = ips.len();
            ips.sort();
            ips.dedup();
            assert_eq!(ips.len(), n);
        }
    }

    #[test]
    fn the_probe_names_a_web_and_an_api_pod() {
        let c = Cluster::generate(&Params::new(500, 100, 3));
        let (from, to) = c.probe.clone().expect("a probe");
        assert!(from.contains("-web-"), "{from}");
        assert!(to.contains("-api-"), "{to}");
        let (_, cluster) = build(&c);
        let ids: Vec<String> = cluster.endpoints.iter().map(|e| e.id()).collect();
        assert!(ids.contains(&from) && ids.contains(&to));
    }

    #[test]
    fn the_policies_isolate_and_then_allow_tier_to_tier() {
        let c = Cluster::generate(&Params::new(400, 200, 5));
        let (_, cluster) = build(&c);
        let m = Matrix::compute(&cluster);
        let find = |id: &str| cluster.endpoints.iter().position(|e| e.id() == id).unwrap();
        let (from, to) = c.probe.clone().unwrap();
        let (web, api) = (find(&from), find(&to));
        // web → api on http (8080) is allowed, api → web is not (default deny).
        assert!(m.allowed(web, api).contains(model::Protocol::Tcp, 8080));
        assert!(m.allowed(api, web).is_empty());
        // Every app pod may ask CoreDNS.
        let dns = cluster
            .endpoints
            .iter()
            .position(|e| e.kind == model::EndpointKind::Pod && e.name.starts_with("coredns"))
            .unwrap();
        assert!(m.allowed(web, dns).contains(model::Protocol::Udp, 53));
        assert!(!m.allowed(web, dns).contains(model::Protocol::Udp, 54));
    }

    #[test]
    fn rng_is_splitmix64() {
        // First outputs of SplitMix64 seeded with 0, as published with the algorithm.
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert!((0..1000).all(|_| r.below(7) < 7));
        assert_eq!(r.below(0), 0);
    }
}
