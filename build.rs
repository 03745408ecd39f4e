//! Rebuilds the crate when the demo snapshots or the bundled rules change: `include_dir!` embeds
//! them in the binary but cannot tell Cargo to watch them.

fn main() {
    println!("cargo:rerun-if-changed=feeds/demo");
    println!("cargo:rerun-if-changed=config/rules");
}
