//! A throw-away certificate authority for HTTPS tests: a CA certificate (written to a PEM file
//! for `--cacert`) and a server configuration for a list of host names signed by it.

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_rustls::rustls;

pub struct TestCa {
    /// The CA certificate as a PEM file (inside `_dir`).
    pub ca_file: PathBuf,
    issuer: Issuer<'static, KeyPair>,
    _dir: tempfile::TempDir,
}

impl TestCa {
    pub fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, "citecheck test CA");
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("self-signed CA");
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, cert.pem()).expect("write CA");
        TestCa { ca_file, issuer: Issuer::new(params, key), _dir: dir }
    }

    /// A TLS server configuration whose certificate covers `hosts` (and 127.0.0.1).
    pub fn server_config(&self, hosts: &[&str]) -> Arc<rustls::ServerConfig> {
        let mut names: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
        names.push("127.0.0.1".to_string());
        let params = CertificateParams::new(names).expect("leaf params");
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.issuer).expect("leaf signed");
        let chain = vec![cert.der().clone()];
        let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_no_client_auth()
            .with_single_cert(chain, key_der)
            .expect("server config");
        Arc::new(config)
    }
}
