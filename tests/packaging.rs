//! What ships kubectl-netpol outside cargo, tried offline: the release script
//! (`scripts/release.sh`: archives, checksums.txt, the krew manifest filled in from them),
//! the installer the GitHub Action runs (`scripts/install.sh`, which checks the checksum),
//! the Action itself (`action.yml`: its install and check steps run as the runner runs them,
//! against a fake release at a file:// address), the Containerfile's build context, and the
//! pre-commit hook's definition. Nothing here builds with cargo or needs the network.
#![cfg(unix)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kubectl_netpol::base::span::FileId;
use kubectl_netpol::load::yaml::{Document, Limits, NodeId, NodeKind, parse_file};

const PLATFORMS: [&str; 4] = ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn installed(name: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(name).is_file())
}

/// Whether the tools the scripts use are here; a note when not.
fn tools(names: &[&str]) -> bool {
    let missing: Vec<&&str> = names.iter().filter(|n| !installed(n)).collect();
    if !missing.is_empty() {
        eprintln!("note: {missing:?} not installed; skipped");
    }
    missing.is_empty()
}

fn release(dist: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(manifest_dir().join("scripts/release.sh"))
        .args(args)
        .env("DIST", dist)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("VERSION")
        .env_remove("REPO_URL")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn sha256(path: &Path) -> String {
    let out = ok(Command::new("sha256sum").arg(path).output().unwrap());
    out.split(' ').next().unwrap().to_string()
}

/// A release of `binary` for every platform in `dist`: archives and checksums.txt.
fn fake_release(dist: &Path, binary: &Path) {
    for p in PLATFORMS {
        ok(release(dist, &["pack", binary.to_str().unwrap(), p], &[]));
    }
    ok(release(dist, &["checksums"], &[]));
}

fn fake_binary(dir: &Path) -> PathBuf {
    let bin = dir.join("fake-kubectl-netpol");
    std::fs::write(&bin, "#!/bin/sh\necho 'kubectl-netpol 1.2.3 (fake)'\n").unwrap();
    bin
}

#[test]
fn release_packs_sums_and_fills_the_krew_manifest() {
    if !tools(&["bash", "tar", "gzip", "sha256sum"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fake_release(&dist, &fake_binary(tmp.path()));
    // Every archive holds, at its top level, what krew/netpol.yaml copies out of it.
    let listing = ok(Command::new("tar")
        .arg("-tzvf")
        .arg(dist.join("kubectl-netpol_linux_amd64.tar.gz"))
        .output()
        .unwrap());
    let names: Vec<&str> = listing
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    for want in [
        "kubectl-netpol",
        "kubectl_complete-netpol",
        "kubectl-netpol.1",
        "kubectl-netpol-can-reach.1",
        "kubectl-netpol.bash",
        "README.md",
        "LICENSE",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains('/')), "{names:?}");
    let mode_of = |name: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(&format!(" {name}")))
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(mode_of("kubectl-netpol"), "-rwxr-xr-x");
    assert_eq!(mode_of("kubectl_complete-netpol"), "-rwxr-xr-x");
    assert_eq!(mode_of("LICENSE"), "-rw-r--r--");
    // checksums.txt: sha256sum's format, one line an archive, each true.
    let sums = std::fs::read_to_string(dist.join("checksums.txt")).unwrap();
    assert_eq!(sums.lines().count(), 4, "{sums}");
    for p in PLATFORMS {
        let archive = format!("kubectl-netpol_{p}.tar.gz");
        let line = format!("{}  {archive}", sha256(&dist.join(&archive)));
        assert!(sums.lines().any(|l| l == line), "{line} in {sums}");
    }
    // The manifest: every placeholder filled in, from checksums.txt.
    let env = [
        ("VERSION", "1.2.3"),
        ("REPO_URL", "https://github.com/example/kubectl-netpol"),
    ];
    let out = ok(release(&dist, &["krew"], &env));
    assert_eq!(out.trim(), dist.join("netpol.yaml").display().to_string());
    let manifest = std::fs::read_to_string(dist.join("netpol.yaml")).unwrap();
    assert!(!manifest.contains("{{"), "{manifest}");
    assert!(manifest.contains("\n  version: v1.2.3\n"), "{manifest}");
    assert!(manifest.contains("\n  homepage: \"https://github.com/example/kubectl-netpol\"\n"));
    assert!(manifest.contains("/store/netpol/v1.2.3/kubectl_complete-netpol"));
    for p in PLATFORMS {
        let archive = format!("kubectl-netpol_{p}.tar.gz");
        let (os, arch) = p.split_once('_').unwrap();
        let selector = format!("        os: {os}\n        arch: {arch}\n");
        let at = manifest.find(&selector).unwrap();
        let platform = &manifest[at..];
        let platform = &platform[..platform.find("  - selector:").unwrap_or(platform.len())];
        let uri = format!(
            "    uri: \"https://github.com/example/kubectl-netpol/releases/download/v1.2.3/{archive}\"\n"
        );
        assert!(platform.contains(&uri), "{platform}");
        let sha = format!("    sha256: \"{}\"\n", sha256(&dist.join(&archive)));
        assert!(platform.contains(&sha), "{platform}");
    }
    // The template's instructions are not in the result; the template is left as it was.
    assert!(!manifest.contains("replace every"), "{manifest}");
    let template = std::fs::read_to_string(manifest_dir().join("krew/netpol.yaml")).unwrap();
    assert!(template.contains("{{SHA256_LINUX_AMD64}}"));
    // Without VERSION, that of Cargo.toml.
    ok(release(
        &dist,
        &["krew"],
        &[("REPO_URL", "https://github.com/example/kubectl-netpol")],
    ));
    let manifest = std::fs::read_to_string(dist.join("netpol.yaml")).unwrap();
    let want = format!("\n  version: v{}\n", env!("CARGO_PKG_VERSION"));
    assert!(manifest.contains(&want), "{manifest}");
}

#[test]
fn release_refuses_what_would_make_a_broken_manifest() {
    if !tools(&["bash", "tar", "gzip", "sha256sum"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    let env = [
        ("VERSION", "1.2.3"),
        ("REPO_URL", "https://github.com/example/kubectl-netpol"),
    ];
    // No checksums yet.
    let out = release(&dist, &["krew"], &env);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksums.txt"));
    // An archive missing: named, and no manifest (not even an old one) left.
    fake_release(&dist, &fake_binary(tmp.path()));
    ok(release(&dist, &["krew"], &env));
    std::fs::remove_file(dist.join("kubectl-netpol_darwin_arm64.tar.gz")).unwrap();
    ok(release(&dist, &["checksums"], &[]));
    let out = release(&dist, &["krew"], &env);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kubectl-netpol_darwin_arm64.tar.gz"), "{err}");
    assert!(!dist.join("netpol.yaml").exists());
    // A version krew would not take, an address that is none.
    for (k, v) in [("VERSION", "1.2"), ("REPO_URL", "github.com/example/x")] {
        let mut env = env.to_vec();
        env.retain(|(key, _)| *key != k);
        env.push((k, v));
        let out = release(&dist, &["krew"], &env);
        assert!(!out.status.success(), "{k}={v}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(k), "{out:?}");
    }
    // An unknown platform, a missing binary.
    let bin = fake_binary(tmp.path());
    assert!(
        !release(
            &dist,
            &["pack", bin.to_str().unwrap(), "windows_amd64"],
            &[]
        )
        .status
        .success()
    );
    assert!(
        !release(&dist, &["pack", "/nonexistent", "linux_amd64"], &[])
            .status
            .success()
    );
    assert!(!release(&dist, &["nonsense"], &[]).status.success());
}

#[test]
fn release_archives_are_reproducible() {
    if !tools(&["bash", "tar", "gzip", "sha256sum"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bin = fake_binary(tmp.path());
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    ok(release(
        &a,
        &["pack", bin.to_str().unwrap(), "linux_amd64"],
        &[],
    ));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(release(
        &b,
        &["pack", bin.to_str().unwrap(), "linux_amd64"],
        &[],
    ));
    let read = |d: &Path| std::fs::read(d.join("kubectl-netpol_linux_amd64.tar.gz")).unwrap();
    assert!(read(&a) == read(&b), "the same files give the same archive");
}

/// This machine's platform, as the releases name it.
fn host_platform() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("linux_amd64"),
        ("linux", "aarch64") => Some("linux_arm64"),
        ("macos", "x86_64") => Some("darwin_amd64"),
        ("macos", "aarch64") => Some("darwin_arm64"),
        _ => None,
    }
}

/// A GitHub-like release directory, `ROOT/download/TAG/`, of the binary under test (packed
/// as a small script that runs it: the debug binary is large to compress four times).
fn release_tree(root: &Path, tag: &str) -> PathBuf {
    let dir = root.join("download").join(tag);
    std::fs::create_dir_all(root).unwrap();
    let wrapper = root.join("kubectl-netpol");
    let bin = env!("CARGO_BIN_EXE_kubectl-netpol");
    std::fs::write(&wrapper, format!("#!/bin/sh\nexec '{bin}' \"$@\"\n")).unwrap();
    fake_release(&dir, &wrapper);
    dir
}

fn install(releases: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg(manifest_dir().join("scripts/install.sh"))
        .args(args)
        .env(
            "KUBECTL_NETPOL_RELEASES",
            format!("file://{}", releases.display()),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn install_checks_the_checksum_before_unpacking() {
    if !tools(&["sh", "bash", "curl", "tar", "gzip", "sha256sum"]) {
        return;
    }
    let Some(platform) = host_platform() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    let dir = release_tree(&releases, "v1.2.3");
    let dest = tmp.path().join("bin");
    let out = ok(install(
        &releases,
        &["--version", "1.2.3", "--dir", dest.to_str().unwrap()],
    ));
    assert!(out.contains("installed kubectl-netpol "), "{out}");
    assert!(dest.join("kubectl-netpol").is_file());
    assert!(dest.join("kubectl_complete-netpol").is_file());
    // Another platform's archive, by name.
    let other = tmp.path().join("other");
    let out = install(
        &releases,
        &[
            "--version",
            "v1.2.3",
            "--platform",
            "darwin_arm64",
            "--dir",
            other.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    // A tampered archive: refused, nothing unpacked.
    let archive = dir.join(format!("kubectl-netpol_{platform}.tar.gz"));
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&archive, bytes).unwrap();
    let dest = tmp.path().join("bin2");
    let out = install(
        &releases,
        &["--version", "v1.2.3", "--dir", dest.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(!dest.exists());
    // A release that is not there, arguments that are wrong.
    let out = install(
        &releases,
        &["--version", "v9.9.9", "--dir", dest.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot download"));
    for args in [
        &["--version"][..],
        &["--platform", "plan9_mips"],
        &["--version", "main"],
        &["--bogus"],
    ] {
        let out = install(&releases, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("install.sh: "));
    }
}

// ---------------------------------------------------------------------------------------
// YAML, read with the crate's own parser

#[derive(Debug, Clone)]
enum Y {
    S(String),
    L(Vec<Y>),
    M(Vec<(String, Y)>),
}

impl Y {
    fn get(&self, key: &str) -> Option<&Y> {
        match self {
            Y::M(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn at(&self, key: &str) -> &Y {
        self.get(key)
            .unwrap_or_else(|| panic!("no {key} in {self:?}"))
    }
    fn str(&self) -> &str {
        match self {
            Y::S(s) => s,
            _ => panic!("not a scalar: {self:?}"),
        }
    }
    fn list(&self) -> &[Y] {
        match self {
            Y::L(l) => l,
            _ => panic!("not a list: {self:?}"),
        }
    }
    fn map(&self) -> &[(String, Y)] {
        match self {
            Y::M(m) => m,
            _ => panic!("not a mapping: {self:?}"),
        }
    }
}

fn tree(doc: &Document, id: NodeId) -> Y {
    match &doc.node(id).kind {
        NodeKind::Scalar(s, _) => Y::S(s.to_string()),
        NodeKind::Seq(items) => Y::L(items.iter().map(|i| tree(doc, *i)).collect()),
        NodeKind::Map(pairs) => Y::M(
            pairs
                .iter()
                .map(|(k, v)| (tree(doc, *k).str().to_string(), tree(doc, *v)))
                .collect(),
        ),
    }
}

fn yaml(file: &str) -> Y {
    let text = std::fs::read_to_string(manifest_dir().join(file)).unwrap();
    let (docs, problems) = parse_file(FileId(0), &text, &Limits::default());
    assert!(problems.is_empty(), "{file}: {problems:?}");
    assert_eq!(docs.len(), 1, "{file}");
    tree(&docs[0], docs[0].root)
}

// ---------------------------------------------------------------------------------------
// action.yml

/// The value of `${{ EXPR }}` in the action: inputs (given, or their default), and the
/// github context of a composite step, where action_repository and action_ref are empty.
fn evaluate(value: &str, action: &Y, given: &HashMap<&str, &str>) -> String {
    let Some(expr) = value
        .trim()
        .strip_prefix("${{")
        .and_then(|v| v.strip_suffix("}}"))
    else {
        assert!(!value.contains("${{"), "{value}");
        return value.to_string();
    };
    let expr = expr.trim();
    if let Some(name) = expr.strip_prefix("inputs.") {
        let input = action.at("inputs").get(name);
        let input = input.unwrap_or_else(|| panic!("no input {name}"));
        return given
            .get(name)
            .map(|v| v.to_string())
            .unwrap_or_else(|| input.get("default").map_or("", Y::str).to_string());
    }
    match expr {
        "github.action_repository" | "github.action_ref" => String::new(),
        _ => panic!("the test knows no {expr}"),
    }
}

/// Runs the step `id` of action.yml as the runner runs a bash step; returns its outputs.
fn run_step(
    action: &Y,
    id: &str,
    given: &HashMap<&str, &str>,
    runner: &HashMap<&str, String>,
) -> (Output, HashMap<String, String>) {
    let step = action
        .at("runs")
        .at("steps")
        .list()
        .iter()
        .find(|s| s.get("id").map(Y::str) == Some(id))
        .unwrap_or_else(|| panic!("no step {id}"));
    assert_eq!(step.at("shell").str(), "bash");
    let output_file = PathBuf::from(&runner["RUNNER_TEMP"]).join(format!("output-{id}"));
    std::fs::write(&output_file, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(step.at("run").str())
        .current_dir(manifest_dir())
        .env("GITHUB_OUTPUT", &output_file)
        .stdin(Stdio::null());
    for (k, v) in runner {
        cmd.env(k, v);
    }
    for (k, v) in step.get("env").map_or(&[][..], Y::map) {
        cmd.env(k, evaluate(v.str(), action, given));
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (out, outputs)
}

#[test]
fn action_inputs_and_outputs_are_declared_and_documented() {
    let action = yaml("action.yml");
    assert_eq!(action.at("runs").at("using").str(), "composite");
    let inputs = action.at("inputs").map();
    for (name, input) in inputs {
        assert!(!input.at("description").str().is_empty(), "{name}");
        assert!(input.get("default").is_some(), "{name}: a default");
    }
    // Every `inputs.NAME` and `steps.ID` the action reads exists.
    let text = std::fs::read_to_string(manifest_dir().join("action.yml")).unwrap();
    for part in text.split("inputs.").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(inputs.iter().any(|(n, _)| *n == name), "inputs.{name}");
    }
    let ids: Vec<&str> = action
        .at("runs")
        .at("steps")
        .list()
        .iter()
        .filter_map(|s| s.get("id").map(Y::str))
        .collect();
    for part in text.split("steps.").skip(1) {
        let id: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(ids.contains(&id.as_str()), "steps.{id}");
    }
    let upload = action
        .at("runs")
        .at("steps")
        .list()
        .iter()
        .find(|s| s.get("uses").is_some())
        .unwrap();
    assert!(
        upload
            .at("uses")
            .str()
            .starts_with("github/codeql-action/upload-sarif@")
    );
}

#[test]
fn action_installs_the_release_of_its_tag_and_checks() {
    if !tools(&["bash", "sh", "curl", "tar", "gzip", "sha256sum"]) {
        return;
    }
    if host_platform().is_none() {
        return;
    }
    let action = yaml("action.yml");
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    release_tree(&releases, "v1.2.3");
    // The runner checks the action out in _actions/OWNER/NAME/REF.
    let action_path = tmp.path().join("_actions/example/kubectl-netpol/v1.2.3");
    std::fs::create_dir_all(action_path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(manifest_dir(), &action_path).unwrap();
    let runner_temp = tmp.path().join("runner");
    std::fs::create_dir(&runner_temp).unwrap();
    let github_path = tmp.path().join("github-path");
    let summary = tmp.path().join("summary.md");
    let runner: HashMap<&str, String> = [
        ("GITHUB_ACTION_PATH", action_path.display().to_string()),
        ("RUNNER_TEMP", runner_temp.display().to_string()),
        ("GITHUB_PATH", github_path.display().to_string()),
        ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
        (
            "KUBECTL_NETPOL_RELEASES",
            format!("file://{}", releases.display()),
        ),
        ("PATH", std::env::var("PATH").unwrap()),
    ]
    .into();
    let (out, outputs) = run_step(&action, "install", &HashMap::new(), &runner);
    assert!(out.status.success(), "{out:?}");
    let bin_dir = std::fs::read_to_string(&github_path).unwrap();
    let bin_dir = bin_dir.trim();
    assert!(Path::new(bin_dir).join("kubectl-netpol").is_file());
    let version = format!("kubectl-netpol {}", kubectl_netpol::cli::VERSION);
    assert_eq!(outputs.get("version"), Some(&version));

    // The check step, with the binary on PATH as GITHUB_PATH puts it.
    let mut runner = runner.clone();
    runner.insert(
        "PATH",
        format!("{bin_dir}:{}", std::env::var("PATH").unwrap()),
    );
    let sarif = tmp.path().join("netpol.sarif");
    let given: HashMap<&str, &str> = [
        ("paths", "testdata/demo"),
        ("sarif", sarif.to_str().unwrap()),
    ]
    .into();
    let (out, outputs) = run_step(&action, "check", &given, &runner);
    assert!(
        out.status.success(),
        "the step reports; the last one fails: {out:?}"
    );
    assert_eq!(outputs.get("exit-code").map(String::as_str), Some("1"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("::warning file=testdata/demo/"), "{stdout}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(summary.is_file(), "-o github writes the job summary");
    // Text instead of annotations; arguments split at blanks and newlines; a pass.
    let given: HashMap<&str, &str> = [
        ("paths", "testdata/one-team\n"),
        ("args", "--fail-on   error\n--no-config"),
        ("annotations", "false"),
    ]
    .into();
    let (out, outputs) = run_step(&action, "check", &given, &runner);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(outputs.get("exit-code").map(String::as_str), Some("0"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("::"), "{stdout}");
    assert!(stdout.contains("1 file checked"), "{stdout}");

    // An explicit version wins over the tag; a missing release fails the install.
    let given: HashMap<&str, &str> = [("version", "v0.0.1")].into();
    let (out, _) = run_step(&action, "install", &given, &runner);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("download/v0.0.1/"));
}

// ---------------------------------------------------------------------------------------
// Containerfile, pre-commit

#[test]
fn the_containerfile_context_is_enough_for_cargo() {
    let text = std::fs::read_to_string(manifest_dir().join("Containerfile")).unwrap();
    let stages: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(stages.len(), 3, "{stages:?}");
    assert_eq!(
        stages[2], "FROM scratch",
        "the default image is the binary alone"
    );
    assert!(text.contains("--target x86_64-unknown-linux-musl"));
    assert!(text.contains("ENTRYPOINT [\"/kubectl-netpol\"]"));
    // What the build stage copies exists, and is all cargo needs to resolve the package
    // (the targets Cargo.toml declares, the lock file).
    let build_stage = &text[text.find(" AS build").unwrap()..text.find(" AS ci").unwrap()];
    let ctx = tempfile::tempdir().unwrap();
    for line in build_stage.lines().filter(|l| l.starts_with("COPY ")) {
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        let (dest, sources) = words.split_last().unwrap();
        for source in sources {
            let from = manifest_dir().join(source);
            assert!(from.exists(), "{line}: no {source}");
            let to = if *dest == "./" {
                ctx.path().join(source)
            } else {
                ctx.path().join(dest)
            };
            copy(&from, &to);
        }
    }
    for line in text
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
    {
        let source = line.split_whitespace().nth(1).unwrap();
        assert!(manifest_dir().join(source).exists(), "{line}");
    }
    // The dependencies of this machine only: those the test build has put in the cache.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let host = ok(Command::new(rustc).arg("-vV").output().unwrap());
    let host = host
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["fetch", "--offline", "--locked", "--target", host])
        .current_dir(ctx.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

#[test]
fn the_pre_commit_hook_runs_check_on_the_changed_manifests() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = hooks
        .list()
        .iter()
        .find(|h| h.at("id").str() == "kubectl-netpol")
        .expect("the hook kubectl-netpol");
    assert_eq!(hook.at("language").str(), "rust");
    let entry = hook.at("entry").str();
    assert_eq!(entry, "kubectl-netpol check");
    let types: Vec<&str> = hook.at("types_or").list().iter().map(Y::str).collect();
    assert_eq!(types, ["yaml", "json"]);
    assert_eq!(hook.at("pass_filenames").str(), "true");
    assert_eq!(hook.at("require_serial").str(), "true");
    // As pre-commit runs it: the entry, the args of the configuration, the files.
    let mut words = entry.split(' ');
    let program = words.next().unwrap();
    assert_eq!(program, "kubectl-netpol", "cargo install puts this on PATH");
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-netpol"))
        .args(words)
        .args([
            "--topology",
            "testdata/one-team",
            "testdata/one-team/shop.yaml",
        ])
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-netpol"))
        .args([
            "check",
            "testdata/demo/namespaces.yaml",
            "--topology",
            "testdata/demo",
        ])
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings fail the commit: {out:?}"
    );
}
