// Command akool-bench is `make bench`: it measures how quickly the provider
// notices finished images, how many reads it spends, how it copes with a
// rate limit, and how fast a plan is, by running the real terraform CLI
// against the local Akool emulator.
//
//	go run ./internal/bench/cmd/akool-bench -provider bin/terraform-provider-akool \
//		-poll-provider bin/bench-poll/terraform-provider-akool \
//		-floor bin/benchfloor/terraform-provider-benchfloor
//
// The emulator runs inside this process, so it knows both when each job
// ended and when a read first saw it end: the difference is the detection
// lag. Terraform runs the provider through a dev_overrides CLI
// configuration, without `terraform init` and without any download. Job
// times come from a fixed seed, so every run asks for the same work.
//
// Profiles and their targets:
//
//	short    40 images of 2-6 s, -parallelism=10
//	long     20 images of 8-20 s, -parallelism=20
//	rate     30 images of 2-6 s, -parallelism=10, Akool accepting 8 requests in any second and answering 1005 above
//	plan     terraform plan over 200 existing images, with -refresh=false and with 50 ms reads, beside
//	         the floor: a plan over 200 resources of terraform-provider-benchfloor, a framework provider
//	         that reads nothing; and a -refresh=false plan over 200 of its benchfloor_image, which has
//	         akool_generated_image's schema and does nothing either (SDK logs off and garbage
//	         collected as the provider serves itself): what the schema alone costs, a bound for
//	         any provider of that schema (printed beside the others, not a target)
//	thousand 1,000 images of 2-6 s, -parallelism=100, Akool accepting 100 requests in any second and
//	         failing 5% of reads transiently; then plans over them (-plan-runs of them, which must take
//	         within 1.5 times the fastest: faults are not limits), beside the floor's plan of 1,000
//	shared   600 images of 1-3 s against one account accepting 50 requests in any second and failing
//	         3% of reads transiently: one workspace (a terraform apply at -parallelism=50), the same
//	         at -parallelism=200 (the four workspaces' together: an apply bound by the account's
//	         rate alone, where at 50 its 2-second jobs bind it as much), then four workspaces of 150
//	         images each, four terraform apply processes started together (each side against a
//	         fresh account), then the four again with max_requests_per_second = 11 each; printed
//	         side by side with the bound, 2 requests per image at 50/s; then one apply of 30 images
//	         of 2-6 s at -parallelism=10 against an account of 8 requests a second. Targets: at most
//	         5% refused and 2.8 requests per image on each side, the workspace at -parallelism=200
//	         within 1.4 times the bound, four within 1.15 times one's wall at -parallelism=50, the
//	         small apply at most 5% refused. All of it again (but the -parallelism=50 workspace and
//	         the ceilings) with the emulator answering 250 ms after each request, as for a runner on
//	         another continent from Akool; there the four are also held to 3% refused, 1.3 times
//	         the bound, and the last finishing within 1.2 times the first
//	scale    the scale curve, at 200, 1,000 and 3,000 images (-scale-sizes): a fresh apply of the images
//	         beside the schema floor's apply of as many benchfloor_image, then plans over each in turn
//	         (-plan-runs of each kind), -refresh=false and with their reads, Akool answering at once,
//	         -parallelism=10 throughout; the schema floor with the SDK's logs off but Go's default
//	         garbage collection. Targets: -refresh=false within 1.0 times the floor at every size, the
//	         largest apply within 1.3 times the floor's, the provider's peak RSS (plans and apply)
//	         below 160 MiB + 250 kB per image. About 15 minutes on an idle machine (estimated; on a
//	         busy one its applies may need a longer -command-timeout); -only scale runs it alone
//
// short and long run once per poll strategy. The provider's own (learned)
// runs the released binary (-provider). The peers' strategies, a fixed 5 s
// poll (fixed5s) and an exponential backoff from 0.5 s to 10 s
// (exponential), run a variant of it built from
// ./internal/bench/cmd/akool-pollbench-provider (-poll-provider), through a
// second dev_overrides configuration that points at the variant's
// directory; the released binary has no setting for them. The exit status
// is 1 when a target is missed.
package main
