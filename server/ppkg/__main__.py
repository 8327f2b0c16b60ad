from ppkg.cli import main

main()
