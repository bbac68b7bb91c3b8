from partybuild_tui.cli import main

main()
