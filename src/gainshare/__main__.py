from gainshare.interfaces.cli.main import main

main()
