//! The real peers the tests check pocdir against (`age`, `minisign`, run
//! as installed: `.ci/run` installs Debian's packages), and the file trees
//! the tests compare before and after a command.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every file under `dir` (dot files too), by relative path with `/`
/// separators. A `dir` that is not there fails the test.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("list") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// The path of an installed tool; a missing one fails the test with the
/// command that installs it (`support::install_hint`).
pub fn tool(name: &str) -> PathBuf {
    crate::support::find_program_in(name, &crate::support::program_dirs())
        .unwrap_or_else(|| panic!("{}", crate::support::install_hint(name)))
}

/// Run a tool in `dir` with stdin closed: (success, stdout, stderr).
pub fn run_tool(name: &str, args: &[&OsStr], dir: &Path) -> (bool, Vec<u8>, String) {
    let out = Command::new(tool(name))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The plaintext tar of a bundle, decrypted by the real `age -d` (which
/// must succeed); a format 2 bundle's gzip stream is decompressed, as
/// `tar xz` does (see `age_decrypt_raw` for the bytes age gives).
pub fn age_decrypt(identity: &Path, bundle: &Path) -> Vec<u8> {
    let raw = age_decrypt_raw(identity, bundle);
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut tar = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut tar)
            .expect("a gzip stream");
        tar
    } else {
        raw
    }
}

/// What the real `age -d` decrypts a bundle to (a format 2 bundle's gzip
/// stream as it is).
pub fn age_decrypt_raw(identity: &Path, bundle: &Path) -> Vec<u8> {
    let (ok, plain, err) = run_tool(
        "age",
        &[
            "-d".as_ref(),
            "-i".as_ref(),
            identity.as_os_str(),
            bundle.as_os_str(),
        ],
        Path::new("."),
    );
    assert!(ok, "age -d {} failed: {err}", bundle.display());
    plain
}

/// A key pair made by the real `minisign -G -W` in `dir` (pk, sk).
pub fn minisign_keypair(dir: &Path) -> (PathBuf, PathBuf) {
    let (pk, sk) = (dir.join("minisign.pub"), dir.join("minisign.key"));
    let (ok, _, err) = run_tool(
        "minisign",
        &[
            "-G".as_ref(),
            "-W".as_ref(),
            "-p".as_ref(),
            pk.as_os_str(),
            "-s".as_ref(),
            sk.as_os_str(),
        ],
        dir,
    );
    assert!(ok, "minisign -G failed: {err}");
    (pk, sk)
}

/// Sign `file` into `sig` with the real `minisign -S` (prehashed, the
/// default) and the trusted comment `trusted`.
pub fn minisign_sign(sk: &Path, file: &Path, sig: &Path, trusted: &str) {
    minisign_s(
        sk,
        file,
        &[
            "-x".as_ref(),
            sig.as_os_str(),
            "-t".as_ref(),
            trusted.as_ref(),
        ],
    );
}

/// Sign `file` with the real `minisign -S` as a user would, with nothing
/// but the key: the signature goes to `FILE.minisig`, with minisign's own
/// trusted comment.
pub fn minisign_sign_as_is(sk: &Path, file: &Path) {
    minisign_s(sk, file, &[]);
}

fn minisign_s(sk: &Path, file: &Path, extra: &[&OsStr]) {
    let mut args: Vec<&OsStr> = vec![
        "-S".as_ref(),
        "-s".as_ref(),
        sk.as_os_str(),
        "-m".as_ref(),
        file.as_os_str(),
    ];
    args.extend_from_slice(extra);
    let (ok, _, err) = run_tool("minisign", &args, Path::new("."));
    assert!(ok, "minisign -S failed: {err}");
}

/// `minisign -V -m FILE -x SIG -p PK`, which must accept the signature:
/// minisign's stdout (it names the trusted comment).
pub fn minisign_verify(file: &Path, sig: &Path, pk: &Path) -> String {
    let (ok, stdout, err) = run_tool(
        "minisign",
        &[
            "-V".as_ref(),
            "-m".as_ref(),
            file.as_os_str(),
            "-x".as_ref(),
            sig.as_os_str(),
            "-p".as_ref(),
            pk.as_os_str(),
        ],
        Path::new("."),
    );
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(
        ok,
        "minisign -V refused the signature of {}: {err}{stdout}",
        file.display()
    );
    stdout
}

/// Run `cmd` (git, python3, …) with stdin closed; it must succeed: its
/// stdout.
pub fn stdout_of(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (is it installed?): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
