from fireaudit.cli import main

main()
