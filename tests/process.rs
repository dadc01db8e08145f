//! What only a real process shows: results independent of the per-process hash seed, and a
//! batch killed mid-run that leaves its destination as it was.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use juxta_tests::{juxta_binary, repo};

fn output(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(juxta_binary())
        .current_dir(repo())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "juxta {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn separate_processes_give_byte_identical_results() {
    let profiles: Vec<String> = ["closed-frontier", "open-weights-mid", "fine-tune"]
        .iter()
        .map(|p| format!("examples/{p}.toml"))
        .collect();
    let jsonl: Vec<u8> = profiles
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(repo().join(p)).unwrap();
            let value: toml::Value = toml::from_str(&text).unwrap();
            let mut line = serde_json::to_vec(&juxta_tests::toml_to_json(&value)).unwrap();
            line.push(b'\n');
            line
        })
        .collect();
    for profile in &profiles {
        let runs: Vec<Vec<u8>> = (0..3)
            .map(|_| output(&["compare", profile, "--format", "json"], b""))
            .collect();
        assert!(
            runs.windows(2).all(|w| w[0] == w[1]),
            "{profile}: runs differ"
        );
    }
    let runs: Vec<Vec<u8>> = (0..3)
        .map(|_| output(&["batch", "-", "-o", "-", "--as-of", "2026-11-22"], &jsonl))
        .collect();
    assert_eq!(runs[0].iter().filter(|&&b| b == b'\n').count(), 3);
    assert!(runs.windows(2).all(|w| w[0] == w[1]), "batch runs differ");
}

#[cfg(unix)]
#[test]
fn a_batch_killed_mid_run_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.jsonl");
    std::fs::write(&dest, "previous results\n").unwrap();
    let mut child = Command::new(juxta_binary())
        .current_dir(repo())
        .args(["batch", "-", "-o"])
        .arg(&dest)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let profile = std::fs::read_to_string(repo().join("examples/closed-frontier.toml")).unwrap();
    let value: toml::Value = toml::from_str(&profile).unwrap();
    let line = serde_json::to_string(&juxta_tests::toml_to_json(&value)).unwrap();
    for _ in 0..1000 {
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    // Wait until results are being written to the temporary file, then kill without warning.
    let temporary = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".juxta-batch-")
            })
    };
    let start = Instant::now();
    while temporary().is_none_or(|p| std::fs::metadata(p).unwrap().len() == 0) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no results written in 60 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(
        std::fs::read_to_string(&dest).unwrap(),
        "previous results\n"
    );
}
