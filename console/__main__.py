from patientmsg.cli import main

main()
