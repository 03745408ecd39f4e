//! An invalid config stops `lage` before it touches the network or the store, with one message
//! that says where the mistake is: the file (the included one, when it is there), the line, the
//! key and the bad value. Each test writes one broken config, runs the real binary and reads
//! that message.

// This file uses the helpers that run `lage`, not the fixture server they sit beside.
#[allow(unused_imports)]
mod common;

use std::path::{Path, PathBuf};

use common::{lage_cmd, write_config};
use tempfile::TempDir;

/// A directory for one test's config files.
fn config_dir() -> TempDir {
    tempfile::tempdir().expect("create a temporary config dir")
}

/// Writes `body` to `dir/rel` (creating parent folders) and returns the path.
fn write_file(dir: &Path, rel: &str, body: &str) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create config subfolder");
    }
    std::fs::write(&path, body).expect("write config file");
    path
}

/// Checks the test's own arithmetic: line `line` of `body` really holds `text`.
fn assert_line_holds(body: &str, line: usize, text: &str) {
    let actual = body.lines().nth(line - 1).unwrap_or("");
    assert!(
        actual.contains(text),
        "test setup: line {line} of the config is {actual:?}, expected it to hold {text:?}"
    );
}

/// Runs `lage sources` with `config` and returns its stderr, asserting that it failed cleanly.
fn load_error(config: &Path) -> String {
    let data = tempfile::tempdir().expect("create a temporary data dir");
    let out = lage_cmd(config, data.path())
        .arg("sources")
        .env_remove("LAGE_TEST_SURELY_UNSET")
        .output()
        .expect("run lage");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "lage accepted an invalid config\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "lage panicked instead of reporting the config error:\n{stderr}"
    );
    stderr
}

/// Asserts that `stderr` points at `path:line:` and mentions every fragment.
fn assert_error_at(stderr: &str, path: &Path, line: usize, fragments: &[&str]) {
    let place = format!("{}:{line}:", path.display());
    assert!(
        stderr.contains(&place),
        "expected the error to point at {place}\nstderr:\n{stderr}"
    );
    for fragment in fragments {
        assert!(
            stderr.contains(fragment),
            "expected the error to mention {fragment:?}\nstderr:\n{stderr}"
        );
    }
}

/// A config with one source whose sixth line is `bad_line`.
fn source_with(bad_line: &str) -> String {
    format!(
        "# Stadens lägesbild (test)\n\
         [[source]]\n\
         id = \"polisen\"\n\
         kind = \"rss\"\n\
         url = \"https://polisen.se/aktuellt/rss/stockholms-lan/\"\n\
         {bad_line}\n\
         enabled = true\n"
    )
}

#[test]
fn a_misspelt_key_is_named_with_its_line() {
    let dir = config_dir();
    let body = source_with("intervall = \"5m\"");
    assert_line_holds(&body, 6, "intervall");
    let config = write_config(dir.path(), &body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 6, &["intervall"]);
}

#[test]
fn a_duration_that_is_not_a_duration_is_quoted() {
    let dir = config_dir();
    let body = source_with("interval = \"5 parsecs\"");
    assert_line_holds(&body, 6, "5 parsecs");
    let config = write_config(dir.path(), &body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 6, &["interval", "'5 parsecs'"]);
}

#[test]
fn an_interval_below_ten_seconds_is_refused() {
    let dir = config_dir();
    let body = source_with("interval = \"1s\"");
    assert_line_holds(&body, 6, "1s");
    let config = write_config(dir.path(), &body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 6, &["interval", "'1s'", "too short"]);
}

#[test]
fn an_interval_over_a_week_is_refused() {
    let dir = config_dir();
    let body = source_with("interval = \"30d\"");
    assert_line_holds(&body, 6, "30d");
    let config = write_config(dir.path(), &body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 6, &["interval", "'30d'", "too long"]);
}

#[test]
fn a_url_with_a_literal_password_is_refused_without_echoing_it() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"intern\"\n\
                kind = \"rss\"\n\
                url = \"https://lage:hemligt-7q@intranet.stockholm.example/feed.xml\"\n";
    assert_line_holds(body, 5, "hemligt-7q");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 5, &["url", "password"]);
    assert!(
        !stderr.contains("hemligt-7q"),
        "the password is echoed:\n{stderr}"
    );
}

#[test]
fn a_url_password_given_as_a_reference_is_accepted_when_the_variable_is_set() {
    let dir = config_dir();
    let body = "[[source]]\n\
                id = \"intern\"\n\
                kind = \"rss\"\n\
                url = \"https://lage:${LAGE_TEST_PASS}@intranet.stockholm.example/feed.xml\"\n";
    let config = write_config(dir.path(), body);
    let data = config_dir();
    let out = lage_cmd(&config, data.path())
        .arg("sources")
        .env("LAGE_TEST_PASS", "abc")
        .output()
        .expect("run lage");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_url_that_is_not_a_url_is_quoted() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"trasig\"\n\
                kind = \"rss\"\n\
                url = \"not a url\"\n";
    assert_line_holds(body, 5, "not a url");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 5, &["url", "'not a url'"]);
}

#[test]
fn an_ftp_url_is_an_unsupported_scheme() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"arkiv\"\n\
                kind = \"rss\"\n\
                url = \"ftp://ftp.example.org/feeds/arkiv.xml\"\n";
    assert_line_holds(body, 5, "ftp://");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(
        &stderr,
        &config,
        5,
        &["url", "'ftp'", "ftp://ftp.example.org/feeds/arkiv.xml"],
    );
}

#[test]
fn an_unknown_kind_is_named_with_the_known_ones() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"poddar\"\n\
                kind = \"podcast\"\n\
                url = \"https://example.org/podd.xml\"\n";
    assert_line_holds(body, 4, "podcast");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(
        &stderr,
        &config,
        4,
        &["kind", "'podcast'", "rss", "incidents"],
    );
}

#[test]
fn a_duplicate_source_id_names_both_definitions() {
    let dir = config_dir();
    let main = "# Main config\n\
                include = [\"feeds/*.toml\"]\n\
                \n\
                [[source]]\n\
                id = \"cert-se\"\n\
                kind = \"rss\"\n\
                url = \"https://www.cert.se/feed.rss\"\n";
    assert_line_holds(main, 4, "[[source]]");
    let config = write_config(dir.path(), main);
    let more = "# More feeds\n\
                [[source]]\n\
                id = \"cert-se\"\n\
                kind = \"rss\"\n\
                url = \"https://www.cert.se/veckobrev.rss\"\n";
    assert_line_holds(more, 3, "cert-se");
    let included = write_file(dir.path(), "feeds/more.toml", more);

    let stderr = load_error(&config);

    let first = format!("{}:4", config.display());
    assert_error_at(&stderr, &included, 3, &["id", "'cert-se'", &first]);
}

#[test]
fn a_literal_token_is_refused_without_echoing_it() {
    let dir = config_dir();
    let body = source_with("token = \"abc123\"");
    assert_line_holds(&body, 6, "abc123");
    let config = write_config(dir.path(), &body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 6, &["token", "${"]);
    assert!(
        !stderr.contains("abc123"),
        "the error repeats the secret:\n{stderr}"
    );
}

#[test]
fn a_literal_secret_in_an_authorization_header_is_refused() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"incidenter\"\n\
                kind = \"incidents\"\n\
                url = \"https://incident.stockholm.example/api/v1/reports\"\n\
                \n\
                [source.headers]\n\
                Accept = \"application/json\"\n\
                Authorization = \"Bearer abc123\"\n";
    assert_line_holds(body, 9, "Bearer abc123");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 9, &["Authorization", "${"]);
    assert!(
        !stderr.contains("abc123"),
        "the error repeats the secret:\n{stderr}"
    );
}

#[test]
fn a_key_like_url_parameter_with_a_literal_value_is_refused() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"vader\"\n\
                kind = \"rss\"\n\
                url = \"https://api.example.org/warnings.xml?lang=sv&api_key=k3yv4lue\"\n";
    assert_line_holds(body, 5, "api_key=k3yv4lue");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 5, &["url", "'api_key'", "${"]);
    assert!(
        !stderr.contains("k3yv4lue"),
        "the error repeats the secret:\n{stderr}"
    );
}

#[test]
fn a_url_that_is_only_a_url_once_an_unset_variable_is_known_names_the_variable() {
    // A key inside the query can wait for the poll; a missing scheme and host cannot be checked.
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"intern\"\n\
                kind = \"rss\"\n\
                url = \"${LAGE_TEST_SURELY_UNSET}/feed.xml\"\n";
    assert_line_holds(body, 5, "LAGE_TEST_SURELY_UNSET");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(
        &stderr,
        &config,
        5,
        &["url", "LAGE_TEST_SURELY_UNSET", "not set"],
    );
}

#[test]
fn an_error_in_an_included_file_names_that_file() {
    let dir = config_dir();
    let main = "# Main config\n\
                include = [\"feeds/*.toml\"]\n";
    let config = write_config(dir.path(), main);
    let feeds = "# Blåljus\n\
                 [[source]]\n\
                 id = \"polisen\"\n\
                 kind = \"rss\"\n\
                 url = \"https://polisen.se/aktuellt/rss/stockholms-lan/\"\n\
                 interval = \"5 parsecs\"\n";
    assert_line_holds(feeds, 6, "5 parsecs");
    let included = write_file(dir.path(), "feeds/blaljus.toml", feeds);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &included, 6, &["interval", "'5 parsecs'"]);
    assert!(
        !stderr.contains(&config.display().to_string()),
        "the error names the main config instead of the included file:\n{stderr}"
    );
}

#[test]
fn an_include_cycle_is_reported_at_the_include_that_closes_it() {
    let dir = config_dir();
    let main = "# Main config\n\
                include = [\"feeds/loop.toml\"]\n";
    let config = write_config(dir.path(), main);
    let back = "# Includes the main config again\n\
                include = [\"../lage.toml\"]\n";
    assert_line_holds(back, 2, "../lage.toml");
    let looping = write_file(dir.path(), "feeds/loop.toml", back);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &looping, 2, &["include", "lage.toml", "cycle"]);
}

#[test]
fn include_patterns_are_relative_to_the_including_file() {
    let dir = config_dir();
    let config = write_file(
        dir.path(),
        "conf/lage.toml",
        "include = [\"feeds/*.toml\"]\n",
    );
    write_file(
        dir.path(),
        "conf/feeds/near.toml",
        "[[source]]\nid = \"near\"\nkind = \"rss\"\nurl = \"https://example.org/near.xml\"\n",
    );
    // The same pattern relative to the working directory would find this one instead.
    write_file(
        dir.path(),
        "feeds/far.toml",
        "[[source]]\nid = \"far\"\nkind = \"rss\"\nurl = \"https://example.org/far.xml\"\n",
    );
    let data = tempfile::tempdir().expect("create a temporary data dir");

    let out = lage_cmd(&config, data.path())
        .args(["sources", "--json"])
        .current_dir(dir.path())
        .output()
        .expect("run lage");

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "lage sources failed:\n{stderr}");
    let sources: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("sources --json prints JSON");
    let ids: Vec<&str> = sources
        .as_array()
        .expect("a JSON array")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, ["near"]);
}

#[test]
fn a_toml_syntax_error_points_at_its_line() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\n\
                [[source]]\n\
                id = \"polisen\"\n\
                kind = \"rss\"\n\
                url = \"https://polisen.se/aktuellt/rss/stockholms-lan/\n\
                interval = \"5m\"\n";
    assert_line_holds(body, 5, "url = \"https://polisen.se");
    let config = write_config(dir.path(), body);

    let stderr = load_error(&config);

    assert_error_at(&stderr, &config, 5, &[]);
}

/// A source of `kind` at `url` whose sixth line is `bad_line`.
fn kind_source_with(kind: &str, url: &str, bad_line: &str) -> String {
    format!(
        "# Stadens lägesbild (test)\n\
         [[source]]\n\
         id = \"s\"\n\
         kind = \"{kind}\"\n\
         url = \"{url}\"\n\
         {bad_line}\n"
    )
}

#[test]
fn polisen_cannot_be_polled_faster_than_its_published_rules() {
    let dir = config_dir();
    let body = kind_source_with(
        "polisen",
        "https://polisen.se/api/events",
        "interval = \"30s\"",
    );
    assert_line_holds(&body, 6, "interval");
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    assert_error_at(
        &stderr,
        &config,
        6,
        &["interval", "30s", "1m", "Polisen", "60 an hour"],
    );
}

#[test]
fn polisen_needs_https_except_on_this_machine() {
    let dir = config_dir();
    let body = kind_source_with(
        "polisen",
        "http://polisen.se/api/events",
        "interval = \"5m\"",
    );
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    assert_error_at(&stderr, &config, 5, &["url", "https"]);
}

#[test]
fn a_min_interval_is_a_floor_for_the_interval() {
    let dir = config_dir();
    let body = kind_source_with(
        "json",
        "https://deviations.integration.sl.se/v1/messages",
        "min_interval = \"2m\"\ninterval = \"1m\"\n[source.options]\nitems = \"\"\nid = \"/id\"\ntitle = \"/t\"",
    );
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    assert_error_at(
        &stderr,
        &config,
        7,
        &["interval", "1m", "2m", "min_interval"],
    );
}

#[test]
fn a_literal_key_in_a_request_body_is_refused() {
    let dir = config_dir();
    let body = kind_source_with(
        "json",
        "https://api.trafikinfo.trafikverket.se/v2/data.json",
        "method = \"POST\"\nbody = '<REQUEST><LOGIN authenticationkey=\"abc123\"/></REQUEST>'\n[source.options]\nitems = \"/RESPONSE\"\nid = \"/Id\"\ntitle = \"/Header\"",
    );
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    assert_error_at(
        &stderr,
        &config,
        7,
        &["body", "authenticationkey", "literal secret"],
    );
    assert!(
        !stderr.contains("abc123"),
        "the secret itself is never echoed: {stderr}"
    );
}

#[test]
fn a_body_needs_post() {
    let dir = config_dir();
    let body = kind_source_with("rss", "https://example.se/feed", "body = \"q\"");
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    assert_error_at(&stderr, &config, 6, &["body", "POST"]);
}

#[test]
fn a_bad_area_and_cap_table_are_named() {
    let dir = config_dir();
    let body = "[area]\ngeocodes = [\"0180\", \"Stockholm\"]\n";
    let config = write_config(dir.path(), body);
    let stderr = load_error(&config);
    assert_error_at(
        &stderr,
        &config,
        2,
        &["[area]", "geocodes", "Stockholm", "SCB"],
    );

    let body =
        "[[cap_severity]]\nseverity = [\"Extreme\"]\nurgency = [\"Now\"]\nlevel = \"critical\"\n";
    let config = write_config(dir.path(), body);
    let stderr = load_error(&config);
    assert_error_at(
        &stderr,
        &config,
        3,
        &["cap_severity", "urgency", "Now", "immediate"],
    );

    let body = "[[area.place]]\nname = \"Kista\"\nlat = 159.4\nlon = 17.9\nradius_km = 2\n";
    let config = write_config(dir.path(), body);
    let stderr = load_error(&config);
    assert_error_at(&stderr, &config, 3, &["Kista", "lat", "159.4"]);
}

#[test]
fn a_bad_kind_option_names_its_line() {
    let dir = config_dir();
    let body = kind_source_with(
        "polisen",
        "https://polisen.se/api/events",
        "[source.options]\nsevirity = { Brand = \"high\" }",
    );
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    assert_error_at(&stderr, &config, 7, &["options.sevirity"]);
}

#[test]
fn post_without_a_body_is_refused() {
    let dir = config_dir();
    let body = kind_source_with("rss", "https://example.se/feed", "method = \"POST\"");
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    assert_error_at(&stderr, &config, 6, &["method", "POST", "body"]);
}

#[test]
fn an_option_after_a_multi_line_array_is_found_on_its_line() {
    let dir = config_dir();
    let body = kind_source_with(
        "polisen",
        "https://polisen.se/api/events",
        "[source.options]\nsite = \"https://polisen.se\"\nseverity = { Brand = \"high\" }\nnote = [\n  [1, 2],\n]\nfoo = 1",
    );
    assert_line_holds(&body, 10, "[1, 2]");
    let config = write_config(dir.path(), &body);
    let stderr = load_error(&config);
    // `foo` sorts before `note`, so it is the unknown key reported, on its own line.
    assert_error_at(&stderr, &config, 12, &["options.foo"]);
}

#[test]
fn a_rules_directory_that_does_not_exist_is_named_with_its_line() {
    let dir = config_dir();
    let body = "# Stadens lägesbild (test)\nrules = \"regler\"\n";
    assert_line_holds(body, 2, "rules");
    let config = write_config(dir.path(), body);
    let stderr = load_error(&config);
    assert_error_at(
        &stderr,
        &config,
        2,
        &["key 'rules'", "'regler'", "does not exist"],
    );
}

#[test]
fn a_rules_key_in_two_files_names_the_first() {
    let dir = config_dir();
    std::fs::create_dir(dir.path().join("rules")).expect("create rules dir");
    let main_body = "include = [\"more.toml\"]\nrules = \"rules\"\n";
    let main = write_config(dir.path(), main_body);
    let more_body = "# more\n\nrules = \"rules\"\n";
    let more = write_file(dir.path(), "more.toml", more_body);
    assert_line_holds(more_body, 3, "rules");
    let stderr = load_error(&main);
    let first = format!("{}:2", main.display());
    assert_error_at(&stderr, &more, 3, &["key 'rules' is defined twice", &first]);
}
