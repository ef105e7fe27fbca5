//! Helpers shared by every command's tests: where the binary and the
//! fixtures are, building a throw-away directory root from the base fixture
//! plus a case's overlay, and running `pocdir` with a time limit.

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// A run of pocdir taking longer than this is a bug (a hang, an
/// exponential blow-up): the test kills it and fails.
pub const TIME_LIMIT: Duration = Duration::from_secs(180);

/// The day every test judges dates by; fixtures' dates are relative to it.
pub const AS_OF: &str = "2026-11-22";

/// The `pocdir` executable built by Cargo for this test run.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pocdir"))
}

/// The repository root (which is also the example directory's root).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/`.
pub fn fixtures() -> PathBuf {
    repo_root().join("tests").join("fixtures")
}

/// `tests/fixtures/base/`: the minimal valid directory every case starts from.
pub fn base() -> PathBuf {
    fixtures().join("base")
}

/// What a run of pocdir gave.
#[derive(Debug)]
pub struct Output {
    /// The exit code; -1 when the process died of a signal (a crash).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run pocdir with `args` (in the repository root as working directory),
/// killing it after [`TIME_LIMIT`].
pub fn pocdir<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    pocdir_env(args, &[])
}

/// [`pocdir`] with these environment variables set (and pocdir's own
/// variables cleared unless given: the tester's shell must not leak in).
pub fn pocdir_env<I, S>(args: I, env: &[(&str, &str)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(bin());
    for v in [
        "POCDIR_SMTP_USER",
        "POCDIR_SMTP_PASSWORD",
        "POCDIR_PASSPHRASE",
        "POCDIR_SIGNING_KEY",
        "POCDIR_SITE_SECRET",
        "POCDIR_SITE_PASSPHRASE",
    ] {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied());
    let mut child = cmd
        .args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start pocdir");
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("cannot wait for pocdir") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pocdir ran for more than {TIME_LIMIT:?} and was killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    Output {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// The same, as the tuple (exit code, stdout, stderr).
pub fn run<I, S>(args: I) -> (i32, String, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let o = pocdir(args);
    (o.code, o.stdout, o.stderr)
}

/// Secret key material in `text`, if any: an age identity, or a long
/// base64 run that opens like a minisign secret key. No output of pocdir may
/// hold one (it would end up in terminal scroll-back and CI logs).
pub fn secret_in(text: &str) -> Option<&str> {
    let age = "AGE-SECRET-KEY-1";
    for (i, _) in text.match_indices(age) {
        let rest = &text[i + age.len()..];
        let n = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if n >= 50 {
            return Some(&text[i..i + age.len() + n]);
        }
    }
    for prefix in ["RWRTY0Iy", "RWQAAEIy", "UFNTY", "UFMAA"] {
        for (i, _) in text.match_indices(prefix) {
            let run = text[i..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b))
                .count();
            if run >= 150 {
                return Some(&text[i..i + run]);
            }
        }
    }
    None
}

/// `text` with every secret [`secret_in`] finds cut to its first 20
/// characters (for failure messages).
pub fn mask_secrets(text: &str) -> String {
    let mut out = text.to_string();
    while let Some(secret) = secret_in(&out) {
        let masked = format!("{}…[secret cut]", &secret[..20]);
        out = out.replace(secret, &masked);
    }
    out
}

/// A case folder's `case.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// Files (or folders) of the base to delete, relative to the root.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Files made by the harness (too big or too odd to commit).
    #[serde(default)]
    pub generate: Vec<Generate>,
    /// Extra arguments for the command.
    #[serde(default)]
    pub args: Vec<String>,
    /// Diagnostics that must be reported.
    #[serde(default)]
    pub expect: Vec<Expected>,
    /// The exit code.
    pub exit: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generate {
    pub path: String,
    pub kind: GenerateKind,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GenerateKind {
    /// A State file whose `regional_networks:` is 100000 `[` then 100000 `]`.
    DeepNesting,
    /// A State file holding a "billion laughs": 9 levels of 9 aliases.
    AliasBomb,
    /// A State file of 300 KB.
    Huge,
    /// A symbolic link to /etc/passwd.
    Symlink,
    /// The base's folder at the path moved outside the root, and a symbolic
    /// link to it left in its place.
    SymlinkFolder,
}

/// One diagnostic a case expects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub severity: String,
    pub code: String,
    pub file: String,
    pub line: u64,
    /// Checked only when given.
    #[serde(default)]
    pub column: Option<u64>,
}

impl Expected {
    pub fn matches(&self, d: &serde_json::Value) -> bool {
        d["severity"] == self.severity.as_str()
            && d["code"] == self.code.as_str()
            && d["file"] == self.file.as_str()
            && d["line"] == self.line
            && self.column.is_none_or(|c| d["column"] == c)
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}] {}:{}",
            self.severity, self.code, self.file, self.line
        )?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        Ok(())
    }
}

/// Read `<dir>/case.json`.
pub fn case_spec(dir: &Path) -> CaseSpec {
    let path = dir.join("case.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not a valid case: {e}", path.display()))
}

/// The names of the case folders under `tests/fixtures/<group>/`, sorted.
pub fn case_names(group: &str) -> Vec<String> {
    let dir = fixtures().join(group);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A throw-away directory root, deleted when dropped: `<tmp>/root/`, with
/// `<tmp>/outside/` beside it for what must lie outside the root.
pub struct Root {
    tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Root {
    /// An empty root.
    pub fn empty() -> Root {
        let tmp = tempfile::Builder::new()
            .prefix("pocdir-test-")
            .tempdir()
            .expect("cannot create a temporary directory");
        let root = tmp.path().join("root");
        fs::create_dir_all(&root).expect("create root");
        fs::create_dir_all(tmp.path().join("outside")).expect("create outside");
        Root { tmp, root }
    }

    /// A fresh copy of the base fixture.
    pub fn base() -> Root {
        let root = Root::empty();
        copy_tree(&base(), root.path());
        root
    }

    /// The base fixture with a case applied: `remove`, then the overlay
    /// `files/`, then `generate`.
    pub fn with_case(case_dir: &Path, spec: &CaseSpec) -> Root {
        let root = Root::base();
        for rel in &spec.remove {
            let p = root.path().join(rel);
            let meta = fs::symlink_metadata(&p).unwrap_or_else(|e| {
                panic!("case removes {rel}, which the base does not hold: {e}")
            });
            if meta.is_dir() {
                fs::remove_dir_all(&p).expect("remove folder");
            } else {
                fs::remove_file(&p).expect("remove file");
            }
        }
        let overlay = case_dir.join("files");
        if overlay.is_dir() {
            copy_tree(&overlay, root.path());
        }
        for g in &spec.generate {
            root.generate(&g.path, g.kind);
        }
        root
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// A folder beside the root, outside it.
    pub fn outside(&self) -> PathBuf {
        self.tmp.path().join("outside")
    }

    /// Write `contents` at `rel`, creating folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::write(&p, contents).expect("write file");
    }

    /// Replace this root's path in `text` (as pocdir may print it) by
    /// `[ROOT]`, and the temporary folder holding it by `[TMP]`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (path, name) in [(self.path(), "[ROOT]"), (self.tmp.path(), "[TMP]")] {
            for p in [path.to_path_buf(), path.canonicalize().unwrap_or_default()] {
                let s = p.to_string_lossy();
                if !s.is_empty() {
                    out = out.replace(s.as_ref(), name);
                }
            }
        }
        out
    }
}

/// Copy every file below `src` into `dst` (replacing same-named files).
pub fn copy_tree(src: &Path, dst: &Path) {
    for entry in fs::read_dir(src).unwrap_or_else(|e| panic!("cannot list {}: {e}", src.display()))
    {
        let entry = entry.expect("directory entry");
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let ty = entry.file_type().expect("file type");
        if ty.is_dir() {
            fs::create_dir_all(&to).expect("create folder");
            copy_tree(&from, &to);
        } else {
            if fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
                fs::remove_dir_all(&to).expect("remove folder");
            }
            fs::copy(&from, &to).unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
        }
    }
}

/// The base fixture's French State file, the template of generated ones,
/// with its `state:` set to `code`.
fn state_template(code: &str) -> String {
    let text = fs::read_to_string(base().join("content/states/FRA.yaml")).expect("base FRA.yaml");
    text.replace("\nstate: FRA\n", &format!("\nstate: {code}\n"))
}

/// Replace the template's `regional_networks:` line by `with`.
fn with_networks(template: &str, with: &str) -> String {
    let mut out = String::with_capacity(template.len() + with.len());
    let mut replaced = false;
    for line in template.split_inclusive('\n') {
        if line.starts_with("regional_networks:") {
            out.push_str(with);
            out.push('\n');
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    assert!(replaced, "the template has no regional_networks line");
    out
}

impl Root {
    /// Make the file `rel` as `kind` says.
    pub fn generate(&self, rel: &str, kind: GenerateKind) {
        generate(self.path(), &self.outside(), rel, kind);
    }
}

fn generate(root: &Path, outside: &Path, rel: &str, kind: GenerateKind) {
    let path = root.join(rel);
    if let GenerateKind::SymlinkFolder = kind {
        let target = outside.join(rel.replace('/', "_"));
        if path.is_dir() {
            fs::rename(&path, &target).expect("move the folder out of the root");
        } else {
            fs::create_dir_all(&target).expect("create folder");
        }
        symlink_dir(&target, &path);
        return;
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create folders");
    }
    let _ = fs::remove_file(&path);
    let code = Path::new(rel)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()))
        .unwrap_or("FRA")
        .to_string();
    let text = match kind {
        GenerateKind::DeepNesting => {
            let n = 100_000;
            let value = format!("regional_networks: {}{}", "[".repeat(n), "]".repeat(n));
            with_networks(&state_template(&code), &value)
        }
        GenerateKind::AliasBomb => {
            let mut value = String::from("regional_networks:\n  - &l0 lol\n");
            for level in 1..=9 {
                let aliases = vec![format!("*l{}", level - 1); 9].join(", ");
                value.push_str(&format!("  - &l{level} [{aliases}]\n"));
            }
            with_networks(&state_template(&code), value.trim_end())
        }
        GenerateKind::Huge => {
            let mut text = state_template(&code);
            let line =
                "# This comment pads the file past pocdir's size limit; it is otherwise valid.\n";
            while text.len() < 300 * 1024 {
                text.push_str(line);
            }
            text
        }
        GenerateKind::Symlink => {
            symlink_file(Path::new("/etc/passwd"), &path);
            return;
        }
        GenerateKind::SymlinkFolder => unreachable!("handled above"),
    };
    fs::write(&path, text).expect("write generated file");
}

#[cfg(unix)]
fn symlink_file(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("create symbolic link");
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("create symbolic link");
}

#[cfg(windows)]
fn symlink_file(target: &Path, link: &Path) {
    std::os::windows::fs::symlink_file(target, link).expect("create symbolic link");
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) {
    std::os::windows::fs::symlink_dir(target, link).expect("create symbolic link");
}

/// `pocdir build --root ROOT --out OUT --as-of AS_OF` plus `extra`
/// (every command's tests build the same way).
pub fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![
        "build".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ];
    args.extend(extra.iter().map(|s| OsStr::new(*s)));
    pocdir(args)
}

/// The programs the tests drive besides pocdir, each with the command that
/// installs it on Debian or Ubuntu. `tests/run` installs them all (as root).
pub const PEERS: &[(&str, &str)] = &[
    ("age", "sudo apt-get install -y age"),
    ("minisign", "sudo apt-get install -y minisign"),
    ("git", "sudo apt-get install -y git"),
    ("script", "sudo apt-get install -y bsdutils"),
    ("tar", "sudo apt-get install -y tar"),
    ("htpasswd", "sudo apt-get install -y apache2-utils"),
    ("nginx", "sudo apt-get install -y nginx"),
    ("apache2", "sudo apt-get install -y apache2"),
    ("python3", "sudo apt-get install -y python3 python3-pip"),
    (
        "node",
        "sudo apt-get install -y nodejs npm (Node.js 20 or later)",
    ),
];

/// The command that installs the SMTP server the mail tests send to.
pub const PIP_HINT: &str = "python3 -m pip install -r tests/smtp/requirements.txt \
     (on Debian 12+ or Ubuntu 23.04+, outside a virtualenv: add --user --break-system-packages)";

/// The command that installs the browser tests' npm packages.
pub const NPM_HINT: &str = "npm ci --prefix tests/browser";

/// The command that installs Chromium and the fonts of the browser tests.
pub const CHROMIUM_HINT: &str =
    "sudo apt-get install -y chromium fonts-noto-cjk fonts-noto-core (or set CHROMIUM_PATH)";

/// The folders programs are looked for in: the `PATH`, then /usr/sbin and
/// /sbin (where Debian puts nginx and apache2, outside a user's `PATH`).
pub fn program_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/sbin"].map(PathBuf::from));
    dirs
}

/// `program` in the first of `dirs` holding it.
pub fn find_program_in(program: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(program)).find(|p| p.is_file())
}

/// What to tell when `program` is missing: the command that installs it.
pub fn install_hint(program: &str) -> String {
    let command = PEERS
        .iter()
        .find(|(name, _)| *name == program)
        .map_or("tests/run", |(_, command)| command);
    format!(
        "`{program}` is not installed: the tests drive it for real. Install it with \
         `{command}`, or run `tests/run` as root (it installs every program the tests need)"
    )
}

/// A command running `program` found in `dirs`, or what to install.
pub fn peer_in(program: &str, dirs: &[PathBuf]) -> Result<Command, String> {
    find_program_in(program, dirs)
        .map(Command::new)
        .ok_or_else(|| install_hint(program))
}

/// A command running `program`; a missing program fails the test with the
/// command that installs it.
pub fn peer(program: &str) -> Command {
    peer_in(program, &program_dirs()).unwrap_or_else(|e| panic!("{e}"))
}

/// The Chromium the browser tests drive: `CHROMIUM_PATH`, or Debian's.
pub fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Every peer of the tests missing when programs are looked for in `dirs`,
/// each with the command that installs it (empty when all are there).
pub fn missing_peers_in(dirs: &[PathBuf]) -> Vec<String> {
    let mut missing = Vec::new();
    for (program, command) in PEERS {
        if find_program_in(program, dirs).is_none() {
            missing.push(format!("`{program}`: {command}"));
        }
    }
    if let Some(python) = find_program_in("python3", dirs) {
        let import = Command::new(python)
            .args(["-c", "import aiosmtpd, trustme"])
            .stdin(Stdio::null())
            .output();
        if !import.is_ok_and(|o| o.status.success()) {
            missing.push(format!(
                "the Python packages aiosmtpd and trustme (the mail tests' SMTP server): {PIP_HINT}"
            ));
        }
    }
    if let Some(node) = find_program_in("node", dirs) {
        let version = Command::new(node)
            .args(["-p", "process.versions.node"])
            .stdin(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let major: u32 = version
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if major < 20 {
            missing.push(format!(
                "Node.js 20 or later (this one: {version:?}): Debian 13 and Ubuntu 24.10 ship it \
                 (sudo apt-get install -y nodejs npm); elsewhere NodeSource's packages or nvm"
            ));
        }
    }
    let modules = repo_root().join("tests/browser/node_modules");
    if ["playwright-core", "axe-core"]
        .iter()
        .any(|p| !modules.join(p).join("package.json").is_file())
    {
        missing.push(format!("the browser tests' npm packages: {NPM_HINT}"));
    }
    let chromium = chromium();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium ({}): {CHROMIUM_HINT}",
            chromium.display()
        ));
    }
    missing
}

/// Every peer of the tests missing on this machine.
pub fn missing_peers() -> Vec<String> {
    missing_peers_in(&program_dirs())
}

/// One test names, in one place, everything this machine lacks to run the
/// others (which each fail on their own missing program too).
#[test]
fn every_program_the_tests_drive_is_installed() {
    let missing = missing_peers();
    assert!(
        missing.is_empty(),
        "the tests drive real programs this machine lacks. `tests/run` as root installs \
         them all; or install each:\n  {}",
        missing.join("\n  ")
    );
}

/// With none of them to be found, each program is named with the command
/// that installs it.
#[test]
fn a_missing_program_is_named_with_the_command_that_installs_it() {
    let empty = tempfile::tempdir().expect("cannot create a temporary directory");
    let nowhere = [empty.path().to_path_buf()];
    let missing = missing_peers_in(&nowhere).join("\n");
    for line in [
        "`age`: sudo apt-get install -y age",
        "`minisign`: sudo apt-get install -y minisign",
        "`git`: sudo apt-get install -y git",
        "`script`: sudo apt-get install -y bsdutils",
        "`htpasswd`: sudo apt-get install -y apache2-utils",
        "`nginx`: sudo apt-get install -y nginx",
        "`apache2`: sudo apt-get install -y apache2",
        "`python3`: sudo apt-get install -y python3 python3-pip",
        "`node`: sudo apt-get install -y nodejs npm",
    ] {
        assert!(missing.contains(line), "no {line:?} in:\n{missing}");
    }
    let err = peer_in("minisign", &nowhere).expect_err("minisign found in an empty folder");
    assert!(
        err.contains("`sudo apt-get install -y minisign`") && err.contains("tests/run"),
        "{err}"
    );
    // Found where it is.
    fs::write(empty.path().join("minisign"), "").expect("write a stand-in");
    let found = peer_in("minisign", &nowhere).expect("minisign not found where it is");
    assert_eq!(
        Path::new(found.get_program()),
        empty.path().join("minisign")
    );
    assert!(!missing_peers_in(&nowhere).join("\n").contains("`minisign`"));
}
