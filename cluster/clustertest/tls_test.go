package clustertest

import "crypto/tls"

func tlsKeyPair(kp KeyPair) (tls.Certificate, error) { return tls.X509KeyPair(kp.CertPEM, kp.KeyPEM) }
