// Command terraform-provider-akool serves the Akool provider to Terraform.
package main

import (
	"flag"
	"log"

	"github.com/akool-community/terraform-provider-akool/internal/provider"
	"github.com/akool-community/terraform-provider-akool/internal/serve"
)

// version is set by goreleaser at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers such as delve")
	flag.Parse()

	if err := serve.Provider(provider.New(version), debug); err != nil {
		log.Fatal(err)
	}
}
