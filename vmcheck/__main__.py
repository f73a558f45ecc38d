from vmcheck.cli.main import main

main()
