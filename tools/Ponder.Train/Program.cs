using Ponder.Train;

return TrainCli.Run(args);
