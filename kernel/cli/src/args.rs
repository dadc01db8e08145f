//! Command-line arguments. Every flag's help text is its documentation.
// Doc comments here are also the `--help` text, which shows paths like `regimes/<id>/`.
#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compare what each jurisdiction requires of, and invites from, an AI model — side by side.
#[derive(Debug, Parser)]
#[command(name = "juxta", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 success; 1 error (bad input, unreadable file); 2 usage error; \
3 output produced but a regime failed; 4 checks failed (regime test, build --check)."
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
    /// Colour in terminal output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate one model profile with every regime and show the results side by side.
    Compare(CompareArgs),
    /// List the loaded regimes: id, version, jurisdiction, origin, sha256.
    Regimes(RegimesArgs),
    /// Author regimes: build plugins, run their test cases.
    #[command(subcommand)]
    Regime(RegimeCommand),
    /// Evaluate many profiles: JSON Lines or Parquet in, one result record per profile out.
    Batch(BatchArgs),
    /// Write realistic, varied model profiles as JSON Lines, for trying pipelines and benchmarks.
    Generate(GenerateArgs),
    /// Print the JSON Schema of a profile: the core facts plus every loaded regime's namespace.
    Schema(SchemaArgs),
    /// Explain one rule for one profile: its citation and text, its condition as a tree with
    /// the value of every part, the facts that would decide it, and what would change it.
    Explain(ExplainArgs),
    /// Render a saved result (`compare --format json --full`) as a table, Markdown or HTML,
    /// exactly as `compare` would have.
    Render(RenderArgs),
    /// Write the offline app: one HTML file that asks about a model, evaluates the bundled
    /// regimes in the browser as you answer, and explains every rule. No server, no network.
    App(AppArgs),
}

/// `juxta app`.
#[derive(Debug, Args)]
pub struct AppArgs {
    /// Where to write the page (`-` for standard output).
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        required_unless_present = "build"
    )]
    pub out: Option<PathBuf>,
    /// Rebuild the app's engine (`app/dist/juxta-app.wasm`) from this checkout, reproducibly
    /// (for juxta's developers; needs the wasm32-unknown-unknown target). Run from the checkout.
    #[arg(long, conflicts_with = "out")]
    pub build: bool,
    /// With --build: change nothing, fail if the rebuilt engine differs from `app/dist`.
    #[arg(long, requires = "build")]
    pub check: bool,
}

/// `juxta render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The result: a JSON file written by `juxta compare --format json --full` (`-` for standard
    /// input).
    pub result: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// In the table, leave out rows that do not apply.
    #[arg(long)]
    pub applicable_only: bool,
}

/// `juxta explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The profile: a TOML or JSON file (`-` reads TOML from standard input).
    pub profile: PathBuf,
    /// The rule id (`EU-OBL-55-1a`) or the name of a computed value (`notification_due`), from
    /// any loaded regime.
    pub rule: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// Only these regimes (repeatable), by id: for a computed value several regimes declare.
    #[arg(long = "regime", value_name = "ID")]
    pub regimes: Vec<String>,
    /// Apply the law as of this day instead of the profile's `evaluation.as_of` (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Read standard input or files as JSON, whatever their extension.
    #[arg(long)]
    pub json_input: bool,
    /// Third-party plugins.
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// Output formats of `explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// For people.
    Text,
    /// One JSON document: the rule's finding, its condition tree and what would change it.
    Json,
}

/// `juxta schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Third-party plugins (their namespaces join the schema).
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// `juxta batch`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 every record evaluated; 3 the output is complete but some records \
(or regimes) failed, with their errors in-band; 1 the input or output could not be read or written \
(then no output file is written); 2 usage error."
)]
pub struct BatchArgs {
    /// The profiles: a JSON Lines file (`-` for standard input) or a Parquet file.
    pub input: Option<PathBuf>,
    /// Where to write the results (`-` for standard output); written atomically.
    #[arg(long, short = 'o', value_name = "OUTPUT")]
    pub output: Option<PathBuf>,
    /// The input format; by default from the extension (`.parquet` is Parquet).
    #[arg(long, value_enum)]
    pub input_format: Option<RecordFormat>,
    /// The output format; by default from the extension (`.parquet` is Parquet).
    #[arg(long, value_enum)]
    pub output_format: Option<RecordFormat>,
    /// The dotted path of the field that identifies a record in the output.
    #[arg(long, default_value = "model.id", value_name = "PATH")]
    pub id_field: String,
    /// What one output record is: one per input record (`wide`), or one per input record,
    /// regime and rule, with its kind, status, deadline and days to go (`long`).
    #[arg(long, value_enum, default_value_t = Layout::Wide)]
    pub layout: Layout,
    /// Worker threads, 1 to 256 (default: all cores). The output is the same whatever the
    /// number.
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Apply the law as of this day instead of each record's `evaluation.as_of`.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only these regimes (repeatable), by id.
    #[arg(long = "regime", value_name = "ID")]
    pub regimes: Vec<String>,
    /// Longest input line accepted, 1 byte to 256 MiB; longer lines become error records.
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES", value_parser = parse_record_bytes)]
    pub max_record_bytes: usize,
    /// No progress bar and no summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Carry these input columns (Parquet) into every output record unchanged, beside the
    /// results: an inventory's own keys, an owner, a partition id (repeatable, or comma-separated).
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    pub passthrough: Vec<String>,
    /// Refuse a Parquet input with a column that is neither a fact nor passed through. By
    /// default such columns are left out and named once in the summary.
    #[arg(long)]
    pub strict_columns: bool,
    /// Print the JSON Schema of an output record (JSON Lines) in the `--layout` and exit.
    #[arg(long)]
    pub print_json_schema: bool,
    /// Print the Arrow schema of the Parquet output for the loaded regimes in the `--layout`
    /// and exit.
    #[arg(long)]
    pub print_arrow_schema: bool,
    /// Third-party plugins.
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// A record format of `batch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
}

impl From<RecordFormat> for juxta::batch::RecordFormat {
    fn from(f: RecordFormat) -> Self {
        match f {
            RecordFormat::Jsonl => juxta::batch::RecordFormat::Jsonl,
            RecordFormat::Parquet => juxta::batch::RecordFormat::Parquet,
        }
    }
}

/// `juxta generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many profiles.
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub count: u64,
    /// The seed: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Make every K-th line deliberately broken (malformed JSON or an invalid profile).
    #[arg(long, value_name = "K")]
    pub broken_every: Option<u64>,
    /// Write here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Where third-party plugins come from.
#[derive(Debug, Args, Default, Clone)]
pub struct PluginArgs {
    /// Also load the `*.wasm` regime plugins in this directory (repeatable). Each must be pinned
    /// in the lock file.
    #[arg(long = "plugins", value_name = "DIR", global = true)]
    pub plugins: Vec<PathBuf>,
    /// The lock file pinning third-party plugins (default: `juxta.lock` beside the config file,
    /// or in the current directory).
    #[arg(long, value_name = "FILE", global = true)]
    pub lock: Option<PathBuf>,
    /// A configuration file (default: `juxta.toml` in the current directory, if there is one).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

impl PluginArgs {
    /// The library's form of these flags.
    pub fn options(&self) -> juxta::PluginOptions {
        juxta::PluginOptions {
            plugins: self.plugins.clone(),
            lock: self.lock.clone(),
            config: self.config.clone(),
        }
    }
}

/// `juxta compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The profile: a TOML or JSON file (`-` reads TOML from standard input).
    pub profile: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Apply the law as of this day instead of the profile's `evaluation.as_of` (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only these regimes (repeatable), by id.
    #[arg(long = "regime", value_name = "ID")]
    pub regimes: Vec<String>,
    /// Read standard input or files as JSON, whatever their extension.
    #[arg(long)]
    pub json_input: bool,
    /// In the table, leave out rows that do not apply.
    #[arg(long)]
    pub applicable_only: bool,
    /// With `--format json`: add what the renderers need (the profile's facts, titles and
    /// units of computed values, effective dates, what would change each rule), so that
    /// `juxta render` reproduces any format exactly. Without it, the result contract alone.
    #[arg(long)]
    pub full: bool,
    /// What if: evaluate with this fact changed (`model.training_compute_flop=2e25`,
    /// `eu.placed_on_market=false`; repeatable), and show what changed against the profile.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// What if this fact were unknown (repeatable).
    #[arg(long = "unset", value_name = "PATH")]
    pub unset: Vec<String>,
    /// Third-party plugins.
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// Output formats of `compare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A side-by-side table for the terminal.
    Table,
    /// The JSON result contract (docs/contract.md).
    Json,
    /// A GitHub-flavoured Markdown table, for documents and pull requests.
    Markdown,
    /// One self-contained HTML page (inline CSS and SVG, no script, no network) with a
    /// timeline of deadlines and effective dates.
    Html,
    /// One row per rule (RFC 4180): regime, rule, kind, title, status, state, due, citation,
    /// missing facts; for GRC tools and spreadsheets.
    Csv,
    /// An iCalendar file (RFC 5545): one event per dated duty and per date of the law, with
    /// stable UIDs, so that importing it again updates the events.
    Ics,
}

/// `juxta regimes`.
#[derive(Debug, Args)]
pub struct RegimesArgs {
    /// What to do (default: list the loaded regimes).
    #[command(subcommand)]
    pub action: Option<RegimesAction>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Third-party plugins.
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// `juxta regimes …`.
#[derive(Debug, Subcommand)]
pub enum RegimesAction {
    /// Pin every third-party plugin's bytes in the lock file (review the plugins first).
    Lock,
}

/// `juxta regime …`.
#[derive(Debug, Subcommand)]
pub enum RegimeCommand {
    /// Scaffold a new regime: regimes/<id>/regime.toml, an example case, and its plugin crate.
    New(NewArgs),
    /// Check a regime's manifest for mistakes the compiler accepts, and for those it refuses.
    Lint(LintArgs),
    /// Build a plugin crate into a WebAssembly component, reproducibly, into plugins/dist.
    Build(BuildArgs),
    /// Run a regime's test cases, from its TOML source or against a built plugin.
    Test(TestArgs),
}

/// `juxta regime new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The regime id: lower-case letters, digits and dashes (`uk-ai-bill`).
    pub id: String,
    /// The directory to create `regimes/<id>/` and `plugins/<id>/` in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The jurisdiction code shown in reports (`UK`, `US-NY`).
    #[arg(long, default_value = "XX")]
    pub jurisdiction: String,
    /// The plugin depends on the juxta SDK at this path (a checkout's `sdk/`), instead of the
    /// published version. Inside a juxta checkout the workspace's SDK is used automatically.
    #[arg(long, value_name = "PATH")]
    pub sdk_path: Option<PathBuf>,
}

/// `juxta regime lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// A regime directory (with regime.toml) or a regime.toml file.
    pub target: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Fail (exit 4) on warnings too, not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// List every rule's worst-case cost per profile, in evaluation steps (text), or give them
    /// as `{"rule", "cost"}` objects (JSON) instead of the findings.
    #[arg(long)]
    pub costs: bool,
}

/// Output formats of `regime lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Diagnostics with the TOML line and a caret.
    Text,
    /// One JSON object per finding, in an array.
    Json,
}

/// Output formats of `regime test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// A line per case; failures with the facts, the condition tree and the citation.
    Text,
    /// One JSON document: cases, differences, coverage.
    Json,
    /// JUnit XML, for CI dashboards.
    Junit,
}

/// `juxta regime build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The plugin crate's directory (for example `plugins/eu-ai-act-gpai`).
    pub plugin: PathBuf,
    /// Where to write `<regime-id>.wasm`, SHA256SUMS and BUILDINFO.
    #[arg(long, value_name = "DIR", default_value = "plugins/dist")]
    pub out: PathBuf,
    /// Build into a temporary directory and fail (exit 4) if the result differs from the file
    /// in the output directory, instead of writing it.
    #[arg(long)]
    pub check: bool,
}

/// `juxta regime test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// A regime directory (with regime.toml and tests/) or a built plugin (.wasm).
    pub target: PathBuf,
    /// The directory of test cases; by default `tests/` of the regime directory, or
    /// `regimes/<id>/tests` for a plugin.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Also report coverage: the statuses each rule can take that no case exercises, and the
    /// blocks no case evaluates.
    #[arg(long)]
    pub coverage: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
}

/// Most worker threads `batch` starts: far above any machine's useful parallelism, far below
/// what would exhaust threads or memory (each worker holds its own plugin instances and chunks).
pub const MAX_JOBS: usize = 256;

/// Longest input record `batch` accepts, in bytes.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

fn parse_bounded(text: &str, max: usize, what: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of {what}"))?;
    if n == 0 || n > max {
        return Err(format!("{n} is out of range: give 1 to {max} {what}"));
    }
    Ok(n)
}

fn parse_jobs(text: &str) -> Result<usize, String> {
    parse_bounded(text, MAX_JOBS, "worker threads")
}

fn parse_record_bytes(text: &str) -> Result<usize, String> {
    parse_bounded(text, MAX_RECORD_BYTES, "bytes")
}

/// The output layout of `batch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    /// One record per input record, every regime's results nested in it.
    Wide,
    /// One record per input record, regime and rule: flat columns for SQL.
    Long,
}

impl From<Layout> for juxta::batch::Layout {
    fn from(l: Layout) -> Self {
        match l {
            Layout::Wide => juxta::batch::Layout::Wide,
            Layout::Long => juxta::batch::Layout::Long,
        }
    }
}
