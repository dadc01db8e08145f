//! What only a real process shows: results independent of the per-process hash seed, a batch
//! killed mid-run that leaves its destination as it was, signals that clean up the temporary
//! file, and peak memory that does not follow record size.

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
    // Once results are being written to the temporary file, kill without warning.
    let mut child = batch_writing(dir.path(), &dest);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(&dest).unwrap(),
        "previous results\n"
    );
}

/// Starts `juxta batch - -o <dest>` fed with closed-frontier lines, and waits until results are
/// being written to its temporary file.
#[cfg(unix)]
fn batch_writing(dir: &std::path::Path, dest: &std::path::Path) -> std::process::Child {
    let mut child = Command::new(juxta_binary())
        .current_dir(repo())
        .args(["batch", "-", "-q", "-o"])
        .arg(dest)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let profile = std::fs::read_to_string(repo().join("examples/closed-frontier.toml")).unwrap();
    let value: toml::Value = toml::from_str(&profile).unwrap();
    let line = serde_json::to_string(&juxta_tests::toml_to_json(&value)).unwrap();
    // Keep the pipe open (and the batch running) from a thread.
    std::thread::spawn(move || {
        for _ in 0..1_000_000 {
            if writeln!(stdin, "{line}").is_err() {
                break;
            }
        }
    });
    let start = Instant::now();
    while temporary_in(dir).is_none_or(|p| std::fs::metadata(p).map_or(0, |m| m.len()) == 0) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no results written in 60 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

fn temporary_in(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".juxta-")
        })
}

#[cfg(unix)]
#[test]
fn sigint_sigterm_and_sighup_remove_the_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.jsonl");
        std::fs::write(&dest, "previous results\n").unwrap();
        let mut child = batch_writing(dir.path(), &dest);
        let status = Command::new("kill")
            .args(["-s", name, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        assert_eq!(exit.signal(), Some(number), "SIG{name}: {exit:?}");
        assert_eq!(
            temporary_in(dir.path()),
            None,
            "SIG{name} left a temporary file"
        );
        assert_eq!(
            std::fs::read_to_string(&dest).unwrap(),
            "previous results\n",
            "SIG{name}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn batch_memory_stays_flat_when_records_are_large() {
    // 80 records of 3 MiB: 256-record chunks would hold all 240 MB at once; chunks bounded by
    // bytes hold a few records each.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let record = format!(
        "{{\"schema_version\":\"1\",\"model\":{{\"id\":\"{}\"}}}}\n",
        "x".repeat(3 << 20)
    );
    std::fs::write(&input, record.repeat(80)).unwrap();
    let out = Command::new(juxta_binary())
        .current_dir(repo())
        .args(["batch", "-j", "2", "-o", "-"])
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{summary}");
    assert!(
        summary.contains("80 records (0 ok, 80 failed)"),
        "{summary}"
    );
    let peak: f64 = summary
        .split("peak memory ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {summary}"));
    assert!(
        peak < 160.0,
        "peak memory {peak} MB for 240 MB of input: {summary}"
    );
}

#[cfg(unix)]
#[test]
fn dev_stdout_is_written_in_place_to_a_pipe_and_appended_to_a_file() {
    let profile = std::fs::read_to_string(repo().join("examples/closed-frontier.toml")).unwrap();
    let value: toml::Value = toml::from_str(&profile).unwrap();
    let line = serde_json::to_string(&juxta_tests::toml_to_json(&value)).unwrap();
    let input = format!("{line}\n{line}\n");
    // Standard output a pipe: the records come through it.
    let piped = output(&["batch", "-", "-q", "-o", "/dev/stdout"], input.as_bytes());
    assert_eq!(piped.iter().filter(|&&b| b == b'\n').count(), 2);
    // Standard output a file with something in it: appended to, nothing lost.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.jsonl");
    std::fs::write(&log, "earlier\n").unwrap();
    let mut child = Command::new(juxta_binary())
        .current_dir(repo())
        .args(["batch", "-", "-q", "-o", "/dev/stdout"])
        .stdin(Stdio::piped())
        .stdout(std::fs::OpenOptions::new().append(true).open(&log).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("earlier\n"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
}
