from vmcheck.cli import main

main()
