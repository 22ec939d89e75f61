//! Helpers shared by the benchmarks.
#![allow(dead_code)]

use std::io::Read;
use std::process::Command;
use std::time::Instant;

/// Runs a command, returning wall seconds and the child's peak RSS in MB (from wait4).
// The child is reaped by `libc::wait4` (which also gives its own peak RSS), not `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn timed(cmd: &mut Command) -> (f64, f64, i32) {
    let start = Instant::now();
    let child =
        cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, once; the pointers are valid for the call.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    let err = reader.join().unwrap_or_default();
    if waited < 0 || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        eprintln!("run failed: {err}");
    }
    (
        wall,
        usage.ru_maxrss as f64 / 1024.0,
        if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 },
    )
}
