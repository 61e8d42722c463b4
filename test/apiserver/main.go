// Command kube-apiserver is a real Kubernetes API server with etcd embedded, for Gannet's testbed.
//
// It starts an embedded etcd on loopback, then runs the upstream kube-apiserver command with the
// arguments it was given plus --etcd-servers pointing at that etcd. Settings for etcd come from
// the environment: GANNET_ETCD_DIR (data directory) and GANNET_ETCD_PORT (client port; the peer
// port is the next one).
package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	for _, a := range os.Args[1:] {
		if a == "--version" || a == "--help" || a == "-h" {
			os.Exit(cli.Run(app.NewAPIServerCommand()))
		}
	}
	dir := os.Getenv("GANNET_ETCD_DIR")
	if dir == "" {
		fmt.Fprintln(os.Stderr, "GANNET_ETCD_DIR is not set: set it to a writable directory for etcd's data")
		os.Exit(2)
	}
	port, err := strconv.Atoi(envOr("GANNET_ETCD_PORT", "2379"))
	if err != nil || port < 1 || port > 65534 {
		fmt.Fprintf(os.Stderr, "GANNET_ETCD_PORT=%q is not a port number: use 1-65534\n", os.Getenv("GANNET_ETCD_PORT"))
		os.Exit(2)
	}
	etcd, clientURL, err := startEtcd(dir, port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "embedded etcd did not start in %s on port %d: %v\n", dir, port, err)
		os.Exit(1)
	}
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs(append(os.Args[1:], "--etcd-servers="+clientURL))
	code := cli.Run(cmd)
	etcd.Close()
	os.Exit(code)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func startEtcd(dir string, port int) (*embed.Etcd, string, error) {
	client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)}
	peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port+1)}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Name = "gannet-testbed"
	cfg.LogLevel = "error"
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = cfg.Name + "=" + peer.String()
	// The API server compacts history itself; etcd's own quota only needs room for a test run.
	cfg.QuotaBackendBytes = 2 << 30
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, client.String(), nil
	case err := <-e.Err():
		e.Close()
		return nil, "", err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, "", fmt.Errorf("not ready after 60s")
	}
}
