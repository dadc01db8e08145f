//! The table as a person sees it: in a real pseudo-terminal (util-linux `script`), sized with
//! `stty`, with no `COLUMNS` in the environment, as in an ordinary shell.

use std::process::Command;

use juxta_tests::{juxta_binary, repo};

/// What `juxta compare PROFILE` prints in a terminal `cols` wide.
fn in_terminal(cols: u16, profile: &str) -> String {
    let command = format!(
        "stty cols {cols} rows 60; exec {} compare {profile} --color never",
        juxta_binary().display()
    );
    let out = Command::new("script")
        .current_dir(repo())
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .output()
        .expect("util-linux `script` runs a pseudo-terminal");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .replace("\r\n", "\n")
}

/// The widest line, in terminal columns (every character juxta draws is one column wide).
fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn the_table_fits_an_80_column_terminal_by_stacking_the_regimes() {
    for profile in ["examples/fine-tune.toml", "examples/closed-frontier.toml"] {
        let out = in_terminal(80, profile);
        assert!(out.contains("SUMMARY"), "{out}");
        assert!(
            widest(&out) <= 80,
            "{profile}: a line of {} columns:\n{out}",
            widest(&out)
        );
        // Stacked: each regime's name heads a table of its own.
        let heads = out.lines().filter(|l| l.contains("┆ EU AI Act")).count()
            + out
                .lines()
                .filter(|l| l.contains("┆ California SB 53"))
                .count();
        assert!(heads >= 2, "{out}");
        assert!(
            !out.lines()
                .any(|l| l.contains("EU AI Act") && l.contains("California SB 53"))
        );
    }
}

#[test]
fn a_200_column_terminal_shows_the_regimes_side_by_side() {
    let out = in_terminal(200, "examples/closed-frontier.toml");
    assert!(widest(&out) <= 200, "a line of {} columns", widest(&out));
    assert!(
        out.lines()
            .any(|l| l.contains("EU AI Act") && l.contains("US executive order")),
        "{out}"
    );
}
